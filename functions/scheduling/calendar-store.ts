import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CalendarClosedDetail, CalendarOpenedDetail } from '#contract/appointment-events.ts';
import type { Closure, Resource, Unavailability } from '#model/clinic-catalog.ts';
import { atRevision, CALENDAR_REVISION, CATALOG_ITEM_TYPES } from '#shared/catalog-store.ts';
import { keys } from '#shared/keys.ts';
import type { TableRef } from '#shared/table.ts';

/** The clinic's dated calendar (closures, time off, blocks) as one item, with the revision its next write expects. */
export interface CalendarState {
  closures: Closure[];
  unavailability: Unavailability[];
  revision: number;
}

/** A resource's weekly hours, with the revision their next write expects. */
export interface ResourceHours {
  resource: Resource;
  revision: number;
}

/**
 * What a change opened (for the waitlist) or closed (for the collision check), written with it in one transaction
 * (keys.calendarOutbox): the table's stream publishes each as an event, so none is lost when the request dies after.
 */
export type CalendarOutboxItem =
  | ({ type: 'CalendarOpening' } & CalendarOpenedDetail)
  | ({ type: 'CalendarClosing' } & CalendarClosedDetail);

/** Who made a change, and when: kept on the item changed (calendar changes are nobody's patient data: no audit trail). */
export interface ChangedBy {
  actor: string;
  at: Date;
}

/** The calendar's port: optimistic writes (a revision each), each with what it opened and closed in the same transaction. */
export interface CalendarStore {
  read(clinicId: string): Promise<CalendarState>;
  /** Writes the calendar if it is still at `revision`; false when someone changed it meanwhile. */
  save(
    clinicId: string,
    next: Omit<CalendarState, 'revision'>,
    revision: number,
    by: ChangedBy,
    outbox: readonly CalendarOutboxItem[],
  ): Promise<boolean>;
  readHours(clinicId: string, resourceId: string): Promise<ResourceHours | undefined>;
  /** Sets a resource's weekly hours if they are still at `revision`; false when someone changed them meanwhile. */
  saveHours(
    clinicId: string,
    hours: ResourceHours,
    weeklyHours: Resource['weeklyHours'],
    by: ChangedBy,
    outbox: readonly CalendarOutboxItem[],
  ): Promise<boolean>;
}

/** An outbox item lives a day: the stream has carried it long before. */
const OUTBOX_TTL_SECONDS = 24 * 3600;

function outboxPuts(table: TableRef, outbox: readonly CalendarOutboxItem[], at: Date) {
  return outbox.map((item) => ({
    Put: {
      TableName: table.tableName,
      Item: {
        ...keys.calendarOutbox(item.clinicId, item.type === 'CalendarOpening' ? item.openingId : item.closingId),
        ...item,
        expiresAt: Math.floor(at.getTime() / 1000) + OUTBOX_TTL_SECONDS,
      },
    },
  }));
}

/** A conditional transaction refused on its condition: someone else's write came first. */
const lostTheRace = (error: unknown) =>
  (error as Error).name === 'TransactionCanceledException' &&
  ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed',
  );

export function dynamoCalendarStore(table: TableRef): CalendarStore {
  const { client, tableName: TableName } = table;
  return {
    async read(clinicId) {
      const { Item } = await client.send(new GetCommand({ TableName, Key: keys.catalogCalendar(clinicId), ConsistentRead: true }));
      return {
        closures: (Item?.closures as Closure[] | undefined) ?? [],
        unavailability: (Item?.unavailability as Unavailability[] | undefined) ?? [],
        revision: (Item?.[CALENDAR_REVISION] as number | undefined) ?? 0,
      };
    },
    async save(clinicId, next, revision, by, outbox) {
      const Item = {
        ...keys.catalogCalendar(clinicId),
        type: CATALOG_ITEM_TYPES.calendar,
        closures: next.closures,
        unavailability: next.unavailability,
        [CALENDAR_REVISION]: revision + 1,
        changedBy: by.actor,
        changedAt: by.at.toISOString(),
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: { TableName, Item, ...atRevision(revision) } }, ...outboxPuts(table, outbox, by.at)],
          }),
        );
        return true;
      } catch (error) {
        if (lostTheRace(error)) return false;
        throw error;
      }
    },
    async readHours(clinicId, resourceId) {
      const { Item } = await client.send(new GetCommand({ TableName, Key: keys.resource(clinicId, resourceId), ConsistentRead: true }));
      if (!Item) return undefined;
      const { PK: _pk, SK: _sk, type: _t, [CALENDAR_REVISION]: revision, changedBy: _b, changedAt: _a, ...resource } = Item;
      return { resource: resource as Resource, revision: (revision as number | undefined) ?? 0 };
    },
    async saveHours(clinicId, hours, weeklyHours, by, outbox) {
      const condition = atRevision(hours.revision);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName,
                  Key: keys.resource(clinicId, hours.resource.resourceId),
                  UpdateExpression: 'SET weeklyHours = :hours, #rev = :next, changedBy = :by, changedAt = :at',
                  ConditionExpression: `attribute_exists(PK) AND ${condition.ConditionExpression}`,
                  ExpressionAttributeNames: condition.ExpressionAttributeNames,
                  ExpressionAttributeValues: {
                    ...('ExpressionAttributeValues' in condition ? condition.ExpressionAttributeValues : {}),
                    ':hours': weeklyHours,
                    ':next': hours.revision + 1,
                    ':by': by.actor,
                    ':at': by.at.toISOString(),
                  },
                },
              },
              ...outboxPuts(table, outbox, by.at),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (lostTheRace(error)) return false;
        throw error;
      }
    },
  };
}
