import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where a store reads and writes: passed in, so tests can point a store at DynamoDB Local or a mock. */
export interface TableRef {
  client: DynamoDBDocumentClient;
  tableName: string;
}
