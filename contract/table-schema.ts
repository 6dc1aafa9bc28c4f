/**
 * The single table's key schema, shared by the CDK stack and the local cloud so both create exactly the same table.
 * Access patterns and the keys that serve them are listed in docs/data-model.md.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB deletes the item some time after it (idempotency records, slot holds in the past). */
  timeToLiveAttribute: 'expiresAt',
  /**
   * The table's stream (DynamoDB Streams): each write's new image, read by archiveAuditRecords (through an event source
   * mapping deployed, through local/dynamodb-streams.ts locally) to copy audit records to the Object Lock archive.
   */
  streamViewType: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    /**
     * GSI1, overloaded: a queue's staff tasks by status and due time (keys.staffTaskQueueIndex), and a clinic's
     * appointments of one local day by start (keys.appointmentsOfDayIndex).
     */
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    /**
     * GSI3: a person's claimed staff tasks by status and due time (keys.staffTaskOwnerIndex). GSI2 is kept for the audit
     * trail by patient (keys.auditByPatient). DynamoDB adds one index per table update: deploy a new index on its own.
     */
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  ],
} as const;
