/**
 * The single table's key schema, shared by the CDK stack and the local cloud so both create exactly the same table.
 * Access patterns and the keys that serve them are listed in docs/data-model.md.
 */
/**
 * The order the global secondary indexes were added in, hence the order an older table gains them, one per deployment
 * (config `tableIndexes` must name a beginning of it: docs/runbook.md, "Upgrading a deployment").
 */
export const INDEX_ARRIVAL_ORDER = ['GSI1', 'GSI3', 'GSI2', 'GSI4'] as const;

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
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
    /**
     * GSI2: a patient's audit records by time (keys.auditByPatient; the sort key is the record's own, which starts with
     * its time). Keys only: it is written for every record and kept as long as the record (400 days), but read only when an admin asks who
     * touched a patient's record, and that read then gets the page's records from the table (list-audit-events.ts).
     */
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'SK', projection: 'KEYS_ONLY' },
    /**
     * GSI3: a person's claimed staff tasks by status and due time (keys.staffTaskOwnerIndex). DynamoDB adds one index
     * per table update: deploy a new index on its own (docs/runbook.md, "Upgrading").
     */
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK', projection: 'ALL' },
    /**
     * GSI4: a clinic's journeys of one status by start (keys.journeysByStatus; the sort key is the journey's own
     * `createdAt`, so the journey item, billed by the KB on each of its updates, carries no second copy). Keys only: the
     * journey item is updated a dozen times per journey, and an index that projects it would be rewritten each time;
     * keys only, its entry is written when the journey starts and moved when its status changes.
     */
    { indexName: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'createdAt', projection: 'KEYS_ONLY' },
  ],
} as const;
