// The stand-in's accounts, as Twilio keeps them: one main (parent) account and its subaccounts,
// each with its own auth token and its own SIP resources (a SipStore each). Who may reach what is
// decided here: an account reaches itself, a parent also reaches its subaccounts, nothing else.
// HTTP, validation and faults live in server.ts.
import { randomBytes } from "node:crypto";
import { API_VERSION, newSid, rfc2822, SipStore, TwilioApiError } from "./store";

type Json = Record<string, unknown>;

/** Twilio's fields of an account (the `auth_token` is rendered only for its owner). */
export interface AccountRecord {
  sid: string;
  /** The parent's SID; a main account's is its own. */
  owner_account_sid: string;
  friendly_name: string;
  auth_token: string;
  status: "active" | "suspended" | "closed";
  type: "Trial" | "Full";
  date_created: string;
  date_updated: string;
}

export interface Account {
  record: AccountRecord;
  sip: SipStore;
}

/** A subaccount to create when the stand-in starts (SID and token made up when left out). */
export interface SubaccountSeed {
  friendlyName?: string;
  sid?: string;
  authToken?: string;
}

/** The subresources Twilio lists for every account (its description's example). */
const SUBRESOURCES: Record<string, string> = {
  available_phone_numbers: "AvailablePhoneNumbers",
  calls: "Calls",
  conferences: "Conferences",
  incoming_phone_numbers: "IncomingPhoneNumbers",
  notifications: "Notifications",
  outgoing_caller_ids: "OutgoingCallerIds",
  recordings: "Recordings",
  transcriptions: "Transcriptions",
  addresses: "Addresses",
  signing_keys: "SigningKeys",
  connect_apps: "ConnectApps",
  sip: "SIP",
  authorized_connect_apps: "AuthorizedConnectApps",
  usage: "Usage",
  keys: "Keys",
  applications: "Applications",
  short_codes: "SMS/ShortCodes",
  queues: "Queues",
  messages: "Messages",
  balance: "Balance",
};

/**
 * The n-th (1, 2, …) made-up subaccount of the CLI and local trials: fixed values, like the main
 * account's, so a stack file can name one, and obviously not a real account.
 */
export function madeUpSubaccount(n: number): Required<SubaccountSeed> {
  const suffix = n.toString(16).padStart(8, "0");
  return {
    sid: `AC${"5ab0acc0".repeat(3)}${suffix}`,
    authToken: `${"5ab7043e".repeat(3)}${suffix}`,
    friendlyName: `line-call stand-in customer ${n}`,
  };
}

export function newAuthToken(): string {
  return randomBytes(16).toString("hex");
}

export class AccountStore {
  readonly accounts = new Map<string, Account>();
  readonly mainAccountSid: string;

  constructor(mainAccountSid: string, mainAuthToken: string, friendlyName = "line-call stand-in") {
    this.mainAccountSid = mainAccountSid;
    this.add({
      sid: mainAccountSid,
      owner_account_sid: mainAccountSid,
      friendly_name: friendlyName,
      auth_token: mainAuthToken,
    });
  }

  private add(
    fields: Pick<AccountRecord, "sid" | "owner_account_sid" | "friendly_name" | "auth_token">,
  ): Account {
    if (this.accounts.has(fields.sid))
      throw new Error(`Account ${fields.sid} already exists in the stand-in`);
    const now = rfc2822();
    const record: AccountRecord = {
      ...fields,
      status: "active",
      type: "Full",
      date_created: now,
      date_updated: now,
    };
    // SIP domain names are unique across all of Twilio, not per account.
    const sip = new SipStore(fields.sid, (name, ownSid) => this.domainNameTaken(name, ownSid));
    const account = { record, sip };
    this.accounts.set(fields.sid, account);
    return account;
  }

  private domainNameTaken(name: string, ownSid: string | undefined): boolean {
    for (const { sip } of this.accounts.values()) {
      for (const d of sip.domains.values()) {
        if (d.sid !== ownSid && d.domain_name.toLowerCase() === name.toLowerCase()) return true;
      }
    }
    return false;
  }

  get main(): Account {
    return this.require(this.mainAccountSid);
  }

  get(sid: string): Account | undefined {
    return this.accounts.get(sid);
  }

  require(sid: string): Account {
    const account = this.accounts.get(sid);
    if (!account) throw new Error(`No account ${sid} in the stand-in`);
    return account;
  }

  /**
   * Another main account beside the stand-in's own, with subaccounts of its own: what a SID of
   * another operator's customer looks like to the first one's credentials.
   */
  createMainAccount(seed: SubaccountSeed = {}): Account {
    const sid = seed.sid ?? newSid("AC");
    return this.add({
      sid,
      owner_account_sid: sid,
      friendly_name: seed.friendlyName ?? `Another operator ${sid}`,
      auth_token: seed.authToken ?? newAuthToken(),
    });
  }

  /** A subaccount of `parentSid` (the main account unless given). */
  createSubaccount(seed: SubaccountSeed = {}, parentSid = this.mainAccountSid): Account {
    const parent = this.require(parentSid);
    if (parent.record.owner_account_sid !== parent.record.sid) {
      // Twilio has one level of subaccounts; the code is the stand-in's approximation.
      throw new TwilioApiError(401, 20003, "A subaccount cannot create subaccounts");
    }
    return this.add({
      sid: seed.sid ?? newSid("AC"),
      owner_account_sid: parentSid,
      friendly_name: seed.friendlyName ?? `SubAccount Created at ${rfc2822()}`,
      auth_token: seed.authToken ?? newAuthToken(),
    });
  }

  /**
   * The account whose credentials these are, or undefined. A closed or suspended account's own
   * credentials are refused (its parent still reaches it).
   */
  authenticate(user: string, password: string): string | undefined {
    const account = this.accounts.get(user);
    if (!account || account.record.auth_token !== password) return undefined;
    return account.record.status === "active" ? user : undefined;
  }

  /** Whether `caller`'s credentials may act in account `target`: its own, or one of its subaccounts. */
  mayReach(caller: string, target: string): boolean {
    const account = this.accounts.get(target);
    if (!account) return false;
    return target === caller || account.record.owner_account_sid === caller;
  }

  /** The accounts `caller` sees in a list: itself and its subaccounts. */
  visibleTo(caller: string): AccountRecord[] {
    return [...this.accounts.values()]
      .map((account) => account.record)
      .filter((record) => this.mayReach(caller, record.sid));
  }

  update(sid: string, form: Json): AccountRecord {
    const record = this.require(sid).record;
    if (typeof form.FriendlyName === "string") record.friendly_name = form.FriendlyName;
    if (typeof form.Status === "string") {
      if (record.status === "closed" && form.Status !== "closed") {
        throw new TwilioApiError(400, 20001, `Account ${sid} is closed and cannot be reopened`);
      }
      if (sid === record.owner_account_sid && form.Status !== record.status) {
        throw new TwilioApiError(
          400,
          20001,
          "A main account's status is not changed through the API",
        );
      }
      record.status = form.Status as AccountRecord["status"];
    }
    record.date_updated = rfc2822();
    return record;
  }

  /** Twilio's JSON for an account, as `caller` sees it: the token only to the account's owner. */
  render(record: AccountRecord, caller: string): Json {
    const base = `/${API_VERSION}/Accounts/${record.sid}`;
    return {
      auth_token: caller === record.owner_account_sid ? record.auth_token : null,
      date_created: record.date_created,
      date_updated: record.date_updated,
      friendly_name: record.friendly_name,
      owner_account_sid: record.owner_account_sid,
      sid: record.sid,
      status: record.status,
      subresource_uris: Object.fromEntries(
        Object.entries(SUBRESOURCES).map(([key, path]) => [key, `${base}/${path}.json`]),
      ),
      type: record.type,
      uri: `${base}.json`,
    };
  }
}
