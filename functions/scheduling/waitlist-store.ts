import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type FreedSlot, slotKeyOf, type WaitlistEntry, waitlistPosition } from '#model/waitlist.ts';
import { keys } from '#shared/keys.ts';
import { conditionHeld, type TableRef, transactionHeld } from '#shared/table.ts';

/** An offer of a freed slot to one waitlist entry: found by the hash of the link's token, never the token itself. */
export interface WaitlistOffer {
  type: 'WaitlistOffer';
  clinicId: string;
  offerId: string;
  entryId: string;
  slot: FreedSlot;
  expiresAt: string;
  /** OPEN until accepted, expired, or the slot was taken by someone else when it was accepted. */
  /** WITHDRAWN: its email could not be sent; the entry is back in line (the event's redelivery offers again). */
  status: 'OPEN' | 'ACCEPTED' | 'EXPIRED' | 'TAKEN' | 'WITHDRAWN';
  createdAt: string;
  appointmentId?: string;
}

/** The waitlist's port (DynamoDB: entries by type and position in GSI1, offers by the hash of their token). */
export interface WaitlistStore {
  /** Adds the entry; false when an entry of that ID exists already (a repeated request). */
  add(entry: WaitlistEntry): Promise<boolean>;
  get(clinicId: string, entryId: string): Promise<WaitlistEntry | undefined>;
  /** The entries of a type in one status, in line order, at most `limit`. */
  inLine(clinicId: string, appointmentType: string, status: WaitlistEntry['status'], limit: number): Promise<WaitlistEntry[]>;
  /** The entry (WAITING) gets the offer (new): one transaction; false when the entry is no longer waiting. */
  offer(entry: WaitlistEntry, offer: WaitlistOffer): Promise<boolean>;
  getOffer(clinicId: string, offerId: string): Promise<WaitlistOffer | undefined>;
  /**
   * Ends an offer: ACCEPTED books the entry (whatever offer it now holds), EXPIRED puts it back in line with the slot
   * passed, TAKEN puts it back in line. Conditional on the offer's status as read; false when it had changed.
   */
  settle(
    offer: WaitlistOffer,
    from: WaitlistOffer['status'],
    outcome: 'ACCEPTED' | 'EXPIRED' | 'TAKEN' | 'WITHDRAWN',
    appointmentId?: string,
  ): Promise<boolean>;
  remove(clinicId: string, entryId: string): Promise<boolean>;
  /** Claims a name once (kept until `until`): false when it was claimed before. */
  claimOnce(clinicId: string, claimId: string, until: Date): Promise<boolean>;
  /** Gives a claim back (what it claimed was not done). */
  releaseClaim(clinicId: string, claimId: string): Promise<void>;
}

const indexOf = (entry: Pick<WaitlistEntry, 'clinicId' | 'appointmentType' | 'status' | 'priority' | 'createdAt' | 'entryId'>) => ({
  GSI1PK: keys.waitlistOfType(entry.clinicId, entry.appointmentType),
  GSI1SK: `${entry.status}#${waitlistPosition(entry)}`,
});

export function dynamoWaitlistStore(table: TableRef): WaitlistStore {
  const { client, tableName: TableName } = table;
  const entryKey = (clinicId: string, entryId: string) => keys.waitlistEntry(clinicId, entryId);
  /** Moves an entry to `status` (its index position with it), on `condition`. */
  const entryUpdate = (
    entry: WaitlistEntry,
    status: WaitlistEntry['status'],
    condition: string,
    extra: { set?: string; values?: Record<string, unknown>; remove?: string } = {},
  ) => ({
    TableName,
    Key: entryKey(entry.clinicId, entry.entryId),
    UpdateExpression: `SET #status = :to, GSI1SK = :position${extra.set ? `, ${extra.set}` : ''}${extra.remove ? ` REMOVE ${extra.remove}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':to': status, ':position': indexOf({ ...entry, status }).GSI1SK, ...extra.values },
  });
  return {
    add: (entry) =>
      conditionHeld(
        client.send(
          new PutCommand({
            TableName,
            Item: { ...entryKey(entry.clinicId, entry.entryId), ...indexOf(entry), ...entry },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      ),
    async get(clinicId, entryId) {
      const { Item } = await client.send(new GetCommand({ TableName, Key: entryKey(clinicId, entryId), ConsistentRead: true }));
      return Item ? (strip(Item) as unknown as WaitlistEntry) : undefined;
    },
    async inLine(clinicId, appointmentType, status, limit) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :status)',
          ExpressionAttributeValues: { ':pk': keys.waitlistOfType(clinicId, appointmentType), ':status': `${status}#` },
          Limit: limit,
        }),
      );
      return Items.map((item) => strip(item) as unknown as WaitlistEntry);
    },
    async offer(entry, offer) {
      return transactionHeld(
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: entryUpdate(entry, 'OFFERED', '#status = :waiting', {
                  set: 'offerId = :offer',
                  values: { ':waiting': 'WAITING', ':offer': offer.offerId },
                }),
              },
              {
                Put: {
                  TableName,
                  Item: { ...keys.waitlistOffer(offer.clinicId, offer.offerId), ...offer },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
        ),
      );
    },
    async getOffer(clinicId, offerId) {
      const { Item } = await client.send(new GetCommand({ TableName, Key: keys.waitlistOffer(clinicId, offerId), ConsistentRead: true }));
      return Item ? (strip(Item) as unknown as WaitlistOffer) : undefined;
    },
    async settle(offer, from, outcome, appointmentId) {
      const entry = await this.get(offer.clinicId, offer.entryId);
      if (!entry) return false;
      const offerUpdate = {
        Update: {
          TableName,
          Key: keys.waitlistOffer(offer.clinicId, offer.offerId),
          UpdateExpression: `SET #status = :outcome${appointmentId ? ', appointmentId = :appointment' : ''}`,
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':outcome': outcome, ':from': from, ...(appointmentId ? { ':appointment': appointmentId } : {}) },
        },
      };
      const holdsThisOffer = '#status = :offered AND offerId = :offer';
      const entryChange =
        outcome === 'ACCEPTED'
          ? entryUpdate(entry, 'BOOKED', '#status IN (:waiting, :offered)', {
              set: 'appointmentId = :appointment',
              values: { ':waiting': 'WAITING', ':offered': 'OFFERED', ':appointment': appointmentId },
              remove: 'offerId',
            })
          : entry.status === 'OFFERED' && entry.offerId === offer.offerId
            ? entryUpdate(entry, 'WAITING', holdsThisOffer, {
                ...(outcome === 'EXPIRED' ? { set: 'passedSlots = list_append(if_not_exists(passedSlots, :none), :slot)' } : {}),
                values: {
                  ':offered': 'OFFERED',
                  ':offer': offer.offerId,
                  ...(outcome === 'EXPIRED' ? { ':none': [], ':slot': [slotKeyOf(offer.slot)] } : {}),
                },
                remove: 'offerId',
              })
            : undefined;
      return transactionHeld(
        client.send(new TransactWriteCommand({ TransactItems: [offerUpdate, ...(entryChange ? [{ Update: entryChange }] : [])] })),
      );
    },
    claimOnce: (clinicId, claimId, until) =>
      conditionHeld(
        client.send(
          new PutCommand({
            TableName,
            Item: { ...keys.waitlistClaim(clinicId, claimId), expiresAt: Math.floor(until.getTime() / 1000) },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      ),
    async releaseClaim(clinicId, claimId) {
      await client.send(new DeleteCommand({ TableName, Key: keys.waitlistClaim(clinicId, claimId) }));
    },
    async remove(clinicId, entryId) {
      const entry = await this.get(clinicId, entryId);
      if (!entry || entry.status === 'BOOKED' || entry.status === 'REMOVED') return false;
      return conditionHeld(
        client.send(new UpdateCommand(entryUpdate(entry, 'REMOVED', '#status = :was', { values: { ':was': entry.status } }))),
      );
    },
  };
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { PK: _pk, SK: _sk, GSI1PK: _g, GSI1SK: _s, ...rest } = item;
  return rest;
}
