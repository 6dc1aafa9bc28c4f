import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { isTransientAwsError, TransientDependencyError, withTransientAwsErrors } from '#shared/errors.ts';

const $metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
/** A Node.js socket error as the SDK's HTTP handler lets it through once its own retries are spent. */
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    ...$metadata(400),
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
/** A server error with a status and fault, as the SDK deserialises an unmodelled 5xx. */
const serverError = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(name), { name, $fault: 'server', ...$metadata(httpStatusCode) });

const TRANSIENT: Array<[string, Error]> = [
  ['a refused connection (ECONNREFUSED)', socketError('ECONNREFUSED')],
  ['a reset connection (ECONNRESET)', socketError('ECONNRESET')],
  ['an unresolvable endpoint (ENOTFOUND)', socketError('ENOTFOUND')],
  ['a request timeout (TimeoutError)', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
  ['throttling (ThrottlingException)', new ThrottlingException({ message: 'Rate exceeded', ...$metadata(400) })],
  [
    'exceeded throughput (ProvisionedThroughputExceededException)',
    new ProvisionedThroughputExceededException({ message: 'Throughput exceeded', ...$metadata(400) }),
  ],
  ['HTTP 429', Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequests', ...$metadata(429) })],
  ['an internal server error (500)', new InternalServerError({ message: 'Internal error', ...$metadata(500) })],
  ['service unavailable (503)', serverError('ServiceUnavailable', 503)],
  ['an unlisted server fault (501)', serverError('NotImplementedHere', 501)],
  ['a transaction conflict', cancelled('None', 'TransactionConflict')],
  ['a throttled transaction item', cancelled('ThrottlingError', 'None')],
];

const PERMANENT: Array<[string, Error]> = [
  ['a failed condition (ConditionalCheckFailedException)', new ConditionalCheckFailedException({ message: 'failed', ...$metadata(400) })],
  ['a transaction cancelled by a condition', cancelled('ConditionalCheckFailed', 'None')],
  [
    'ValidationException',
    Object.assign(new Error('Invalid KeyConditionExpression'), { name: 'ValidationException', $fault: 'client', ...$metadata(400) }),
  ],
  [
    'AccessDeniedException',
    Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client', ...$metadata(400) }),
  ],
  ['a programming error', new TypeError("Cannot read properties of undefined (reading 'clinicId')")],
];

describe('Function: isTransientAwsError', () => {
  it.each(TRANSIENT)('says %s may pass', (_case, error) => {
    // Act
    const transient = isTransientAwsError(error);

    // Assess
    expect(transient).toBe(true);
  });

  it.each(PERMANENT)('says %s will not pass', (_case, error) => {
    // Act
    const transient = isTransientAwsError(error);

    // Assess
    expect(transient).toBe(false);
  });

  it.each([
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
    ['a plain object', { code: 'ECONNREFUSED' }],
  ])('says %s thrown is not an AWS outage', (_case, thrown) => {
    // Act
    const transient = isTransientAwsError(thrown);

    // Assess
    expect(transient).toBe(false);
  });
});

describe('Function: withTransientAwsErrors', () => {
  it.each(TRANSIENT)('turns %s into AwsServiceUnavailable, keeping the original as its cause', async (_case, error) => {
    // Prepare
    const task = withTransientAwsErrors(async () => {
      throw error;
    });

    // Act
    const running = task();

    // Assess
    await expect(running).rejects.toBeInstanceOf(TransientDependencyError);
    await expect(running).rejects.toMatchObject({ name: TRANSIENT_ERRORS.awsServiceUnavailable, cause: error });
  });

  it.each(PERMANENT)('lets %s through unchanged', async (_case, error) => {
    // Prepare
    const task = withTransientAwsErrors(async () => {
      throw error;
    });

    // Act
    const running = task();

    // Assess
    await expect(running).rejects.toBe(error);
  });

  it('lets an error already classified by its adapter (ClearinghouseUnavailable after a timeout) through under its name', async () => {
    // Prepare
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const classified = new TransientDependencyError(TRANSIENT_ERRORS.clearinghouseUnavailable, 'Clearinghouse unreachable or timed out', {
      cause: timeout,
    });
    const task = withTransientAwsErrors(async () => {
      throw classified;
    });

    // Act
    const running = task();

    // Assess
    await expect(running).rejects.toBe(classified);
  });

  it('passes the arguments through and returns the result', async () => {
    // Prepare
    const task = withTransientAwsErrors(async (a: number, b: string) => `${b}${a}`);

    // Act
    const result = await task(7, 'n');

    // Assess
    expect(result).toBe('n7');
  });

  it('names the original error, and only its name, in the message', async () => {
    // Prepare
    const task = withTransientAwsErrors(async () => {
      throw new InternalServerError({ message: 'patient Maria García not saved', ...$metadata(500) });
    });

    // Act
    const running = task();

    // Assess
    await expect(running).rejects.toThrow('AWS dependency unavailable: InternalServerError');
    await expect(running).rejects.not.toThrow(/Maria/);
  });
});
