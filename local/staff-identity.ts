/**
 * The staff's sign-in, locally: cognito-local (it speaks the Cognito user-pool API and signs RS256 JWTs it publishes at
 * `<issuer>/.well-known/jwks.json`), started in this process on a loopback port, with the staff user pool, its app
 * client, one group per role and the demo staff seeded idempotently. Tokens it issues are verified exactly as API
 * Gateway's JWT authorizer verifies Cognito's (local/api-gateway.ts): issuer, audience, signature, expiry.
 *
 * cognito-local's only start helper fixes its data folder to `./.cognito` and reads HOST/PORT at import time, so this
 * composes the same parts from its modules (it has no exports map; they are CommonJS).
 */

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import pino from 'pino';
import { STAFF_ROLES, type StaffRole } from '#contract/staff-roles.ts';
import { LOCAL_REGION } from '#local/step-functions/definition.ts';

/** Where `npm start` keeps the demo staff password (DEMO_STAFF_PASSWORD wins), like the demo API key. */
export const DEMO_STAFF_PASSWORD_FILE = resolve(import.meta.dirname, '..', '.local', 'demo-staff-password');
/** In the local cloud's `dataDir`: the staff user pool's endpoint, issuer and client, for `npm run token`. */
export const STAFF_IDENTITY_FILE = 'staff-identity.json';
const POOL_NAME = 'patient-access-staff';
const CLIENT_NAME = 'staff-console';

/** What the API gateway needs to verify staff tokens, and what `npm run token` needs to get one. */
export interface StaffIdentityConfig {
  /** cognito-local's endpoint (the Cognito user-pool API). */
  endpoint: string;
  userPoolId: string;
  clientId: string;
  issuer: string;
  jwksUri: string;
}

export interface StaffUser {
  username: string;
  clinicId: string;
  roles: readonly StaffRole[];
}

export interface LocalStaffIdentity extends StaffIdentityConfig {
  /** Signs a seeded user in (USER_PASSWORD_AUTH) and returns the ID token staff routes take. */
  idToken: (username: string, password?: string) => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * Starts cognito-local on 127.0.0.1 (port 0: the OS picks), keeping its data in `dataDir` when given (users survive
 * restarts) or in a temporary folder, then creates the pool, client and groups if missing and the users not seeded yet.
 */
export async function startStaffIdentity(options: {
  users: readonly StaffUser[];
  password: string;
  dataDir: string;
  port?: number;
}): Promise<LocalStaffIdentity> {
  // aws-sdk v2 (cognito-local's) prints an end-of-support banner on load.
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
  mkdirSync(options.dataDir, { recursive: true });
  const { server, issuerDomain } = await startCognitoLocal(options.dataDir, options.port ?? 0);
  const endpoint = issuerDomain;
  const idp = new CognitoIdentityProviderClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { userPoolId, clientId } = await seed(idp, options.users, options.password);
    const issuer = `${issuerDomain}/${userPoolId}`;
    return {
      endpoint,
      userPoolId,
      clientId,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      idToken: (username, password = options.password) => signIn(idp, clientId, username, password),
      stop: () => new Promise<void>((done) => server.close(() => done())),
    };
  } catch (error) {
    server.close();
    throw error;
  }
}

/**
 * The demo staff's password for `npm start`: DEMO_STAFF_PASSWORD when set, otherwise the one kept from before, otherwise
 * a new one (meeting Cognito's default policy). Whatever it is, it is kept in .local/demo-staff-password (0600), where
 * `npm run token` reads it (`keptDemoStaffPassword`), and seeding sets it on every demo user.
 */
export function demoStaffPassword(): string {
  const password = process.env.DEMO_STAFF_PASSWORD || keptDemoStaffPassword() || `Pa-${randomBytes(12).toString('base64url')}-9a`;
  mkdirSync(dirname(DEMO_STAFF_PASSWORD_FILE), { recursive: true });
  writeFileSync(DEMO_STAFF_PASSWORD_FILE, `${password}\n`, { mode: 0o600 });
  return password;
}

/** The password the last `npm start` set on the demo staff, if any. */
export function keptDemoStaffPassword(): string | undefined {
  if (!existsSync(DEMO_STAFF_PASSWORD_FILE)) return undefined;
  return readFileSync(DEMO_STAFF_PASSWORD_FILE, 'utf8').trim() || undefined;
}

export async function signIn(idp: CognitoIdentityProviderClient, clientId: string, username: string, password: string): Promise<string> {
  const { AuthenticationResult } = await idp.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  if (!AuthenticationResult?.IdToken) throw new Error(`No ID token for ${username}`);
  return AuthenticationResult.IdToken;
}

async function seed(idp: CognitoIdentityProviderClient, users: readonly StaffUser[], password: string) {
  const pools = await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === POOL_NAME)?.Id;
  if (!userPoolId) {
    const created = await idp.send(
      new CreateUserPoolCommand({
        PoolName: POOL_NAME,
        // As the CDK pool: the clinic a person works for, set by an admin, not by the person.
        Schema: [{ Name: 'clinicId', AttributeDataType: 'String', Mutable: true }],
      }),
    );
    userPoolId = created.UserPool?.Id;
  }
  if (!userPoolId) throw new Error('cognito-local created no user pool');
  const clients = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId }));
  let clientId = clients.UserPoolClients?.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
  if (!clientId) {
    const created = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: CLIENT_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        WriteAttributes: ['locale'],
        IdTokenValidity: 60,
        TokenValidityUnits: { IdToken: 'minutes' },
      }),
    );
    clientId = created.UserPoolClient?.ClientId;
  }
  if (!clientId) throw new Error('cognito-local created no app client');
  for (const role of STAFF_ROLES) {
    await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: role })).catch(ignore('GroupExistsException'));
  }
  // Seeding settles every seeded user to the configuration (password, clinic, roles), whether new or kept from a
  // previous start: a password given now is the one that signs in.
  for (const user of users) {
    const exists = await idp.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.username })).then(
      () => true,
      () => false,
    );
    const clinic = [{ Name: 'custom:clinicId', Value: user.clinicId }];
    if (!exists) {
      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: user.username, MessageAction: 'SUPPRESS', UserAttributes: clinic }),
      );
    } else {
      await idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username: user.username, UserAttributes: clinic }));
    }
    await idp.send(
      new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: user.username, Password: password, Permanent: true }),
    );
    const { Groups = [] } = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: user.username }));
    const held = new Set(Groups.flatMap((group) => (group.GroupName ? [group.GroupName] : [])));
    for (const role of user.roles) {
      if (!held.has(role))
        await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: role }));
    }
    for (const group of held) {
      if (!(user.roles as readonly string[]).includes(group)) {
        await idp.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }));
      }
    }
  }
  return { userPoolId, clientId };
}

const ignore = (name: string) => (error: Error) => {
  if (error.name !== name) throw error;
};

/** cognito-local's server with our data folder, loopback only, quiet; the issuer follows the port the OS picked. */
async function startCognitoLocal(dataDir: string, port: number): Promise<{ server: Server; issuerDomain: string }> {
  const require = createRequire(import.meta.url);
  const lib = (path: string) => require(`cognito-local/lib/${path}`);
  const AWS = require('aws-sdk');
  const { DateClock, TriggersService, LambdaService, MessagesService } = lib('services');
  const { CognitoServiceFactoryImpl } = lib('services/cognitoService');
  const { CryptoService } = lib('services/crypto');
  const { StormDBDataStoreFactory } = lib('services/dataStore/stormDb');
  const { ConsoleMessageSender } = lib('services/messageDelivery/consoleMessageSender');
  const { MessageDeliveryService } = lib('services/messageDelivery/messageDelivery');
  const { otp } = lib('services/otp');
  const { JwtTokenGenerator } = lib('services/tokenGenerator');
  const { UserPoolServiceFactoryImpl } = lib('services/userPoolService');
  const { DefaultConfig } = lib('server/config');
  const { Router } = lib('server/Router');
  const { createServer } = lib('server/server');

  const logger = pino({ level: 'error' });
  const host = '127.0.0.1';
  const config = {
    ...DefaultConfig,
    // A CDK pool without email sign-in aliases: usernames are names (cognito-local defaults to emails).
    UserPoolDefaults: { UsernameAttributes: [] },
    TokenConfig: { IssuerDomain: `http://${host}:${port}` },
    ServerConfig: { port, hostname: host, development: false, https: false },
  };
  const clock = new DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory(dataDir);
  const cognito = await new CognitoServiceFactoryImpl(
    dataDir,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  ).create({ logger }, config.UserPoolDefaults);
  const triggers = new TriggersService(
    clock,
    cognito,
    new LambdaService(config.TriggerFunctions, new AWS.Lambda(config.LambdaClient)),
    new CryptoService(config.KMSConfig),
  );
  const services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const server: Server = await createServer(Router(services), logger, config.ServerConfig, services).start();
  // The token generator holds this same TokenConfig: with port 0, set the issuer to the port actually bound.
  config.TokenConfig.IssuerDomain = `http://${host}:${(server.address() as AddressInfo).port}`;
  return { server, issuerDomain: config.TokenConfig.IssuerDomain };
}
