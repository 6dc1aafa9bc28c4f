import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.ts';

export interface PublishedMessage {
  messageId: string;
  topicArn?: string;
  targetArn?: string;
  phoneNumber?: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, { dataType: string; stringValue?: string }>;
  at: Date;
}

/**
 * SNS Publish, kept in memory: the staff alerts the handlers publish land here for inspection (tests, the console
 * notice of `npm start`). Any topic ARN is accepted; there are no subscriptions to deliver to.
 */
export class LocalSns {
  readonly published: PublishedMessage[] = [];

  constructor(private readonly onPublish?: (message: PublishedMessage) => void) {}

  /** Handles a query-protocol request body (Action=Publish&TopicArn=…&Message=…). */
  handleQuery(params: URLSearchParams): { action: string; result: Record<string, string> } {
    const action = params.get('Action') ?? '';
    if (action !== 'Publish')
      throw new ServiceError('InvalidAction', `The local SNS endpoint supports Publish only, not ${action || 'an empty action'}`);
    const message = params.get('Message');
    if (!message) throw new ServiceError('InvalidParameter', 'Invalid parameter: Empty message');
    const topicArn = params.get('TopicArn') ?? undefined;
    const targetArn = params.get('TargetArn') ?? undefined;
    const phoneNumber = params.get('PhoneNumber') ?? undefined;
    if (!topicArn && !targetArn && !phoneNumber) {
      throw new ServiceError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn or PhoneNumber is required');
    }
    const messageAttributes: PublishedMessage['messageAttributes'] = {};
    for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
      const name = params.get(`MessageAttributes.entry.${i}.Name`) as string;
      const stringValue = params.get(`MessageAttributes.entry.${i}.Value.StringValue`);
      messageAttributes[name] = {
        dataType: params.get(`MessageAttributes.entry.${i}.Value.DataType`) ?? 'String',
        ...(stringValue !== null ? { stringValue } : {}),
      };
    }
    const subject = params.get('Subject') ?? undefined;
    const published: PublishedMessage = {
      messageId: randomUUID(),
      message,
      messageAttributes,
      at: new Date(),
      ...(topicArn ? { topicArn } : {}),
      ...(targetArn ? { targetArn } : {}),
      ...(phoneNumber ? { phoneNumber } : {}),
      ...(subject ? { subject } : {}),
    };
    this.published.push(published);
    this.onPublish?.(published);
    return { action, result: { MessageId: published.messageId } };
  }
}
