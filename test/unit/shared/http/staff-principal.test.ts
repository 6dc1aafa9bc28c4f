import { describe, expect, it } from 'vitest';
import { groupsOf, staffActor, staffPrincipal } from '#shared/http/staff-principal.ts';
import { staffEvent } from '#test/support/api-event.ts';
import { thrownHttpError } from '#test/support/thrown-http-error.ts';

const path = { clinicId: 'clinic-a', taskId: 't-1' };

describe('Function: staffPrincipal', () => {
  it('names the person, their clinic and the roles the code knows', () => {
    // Act
    const person = staffPrincipal(
      staffEvent({ pathParameters: path, person: { sub: 'u-1', username: 'nurse', groups: '[clinical billing nobody]' } }),
      ['clinical'],
    );

    // Assess
    expect(person).toEqual({ userId: 'u-1', username: 'nurse', clinicId: 'clinic-a', roles: ['clinical', 'billing'] });
    expect(staffActor(person)).toBe('user:u-1');
  });

  it.each([
    ['no claims', null, 401],
    ['an access token', { tokenUse: 'access' as const }, 401],
    ['no subject', { sub: '' }, 401],
    ['another clinic', { clinicId: 'clinic-b' }, 403],
    ['none of the roles', { groups: '[billing]' }, 403],
    ['no groups at all', { groups: '' }, 403],
  ])('refuses %s with %s', (_case, person, status) => {
    // Act
    const error = thrownHttpError(() => staffPrincipal(staffEvent({ pathParameters: path, person }), ['front-desk', 'clinical']));

    // Assess
    expect(error.statusCode).toBe(status);
  });
});

describe('Function: groupsOf', () => {
  it('reads the groups as API Gateway passes an array claim, and as a JSON array', () => {
    expect(groupsOf('[front-desk billing]')).toEqual(['front-desk', 'billing']);
    expect(groupsOf('front-desk')).toEqual(['front-desk']);
    expect(groupsOf(['ops', 7])).toEqual(['ops']);
    expect(groupsOf(undefined)).toEqual([]);
    expect(groupsOf('[]')).toEqual([]);
  });
});
