import { describe, expect, it } from 'vitest';
import { isPathId, PathIdSchema } from '#contract/api/path-ids.ts';
import { pathIds } from '#shared/http/path-parameters.ts';
import { BAD_PATH_IDS } from '#test/support/bad-path-ids.ts';
import { thrownHttpError } from '#test/support/thrown-http-error.ts';

describe('Function: pathIds', () => {
  it('returns the named IDs when each is one this API could have issued', () => {
    // Prepare
    const event = {
      pathParameters: { clinicId: 'demo-clinic', journeyId: '0f8fad5b-d9cb-469f-a165-70867728950e', taskId: 'st-0123456789abcdef0123' },
    };

    // Act
    const ids = pathIds(event, ['clinicId', 'journeyId', 'taskId']);

    // Assess
    expect(ids).toEqual(event.pathParameters);
  });

  it('accepts an ID of exactly 100 characters', () => {
    // Act
    const ids = pathIds({ pathParameters: { taskId: `A${'b_-9'.repeat(24)}xyz` } }, ['taskId']);

    // Assess
    expect(ids.taskId).toHaveLength(100);
  });

  it.each(BAD_PATH_IDS)('answers 400 naming the parameter for an ID with %s', (_case, id) => {
    // Act
    const error = thrownHttpError(() => pathIds({ pathParameters: { journeyId: id } }, ['journeyId']));

    // Assess
    expect(error.statusCode).toBe(400);
    expect(error.body).toEqual({ errors: [{ path: 'path.journeyId', message: expect.stringContaining('1 to 100') }] });
  });

  it('answers 400 for a parameter that is missing, and for missing path parameters altogether', () => {
    // Act
    const missingOne = thrownHttpError(() => pathIds({ pathParameters: { clinicId: 'c1' } }, ['clinicId', 'taskId']));
    const missingAll = thrownHttpError(() => pathIds({}, ['clinicId']));

    // Assess
    expect(missingOne.body).toEqual({ errors: [{ path: 'path.taskId', message: expect.any(String) }] });
    expect(missingAll.body).toEqual({ errors: [{ path: 'path.clinicId', message: expect.any(String) }] });
  });

  it('names every bad parameter at once', () => {
    // Act
    const error = thrownHttpError(() => pathIds({ pathParameters: { clinicId: 'c/1', taskId: 'x'.repeat(2100) } }, ['clinicId', 'taskId']));

    // Assess
    expect(error.body).toEqual({
      errors: [
        { path: 'path.clinicId', message: expect.any(String) },
        { path: 'path.taskId', message: expect.any(String) },
      ],
    });
  });

  it('never echoes the rejected ID back', () => {
    // Act
    const error = thrownHttpError(() => pathIds({ pathParameters: { journeyId: 'Maria-Garcia-1985/04/12' } }, ['journeyId']));

    // Assess
    expect(JSON.stringify(error.body)).not.toContain('Maria');
  });
});

describe('Function: isPathId', () => {
  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an array', ['c1']],
  ])('refuses %s', (_case, value) => {
    // Act
    const accepted = isPathId(value);

    // Assess
    expect(accepted).toBe(false);
  });

  it('agrees with PathIdSchema', () => {
    // Act
    const verdicts = ['demo-clinic', 'a'.repeat(2100), ''].map((id) => [isPathId(id), PathIdSchema.safeParse(id).success]);

    // Assess
    expect(verdicts).toEqual([
      [true, true],
      [false, false],
      [false, false],
    ]);
  });
});
