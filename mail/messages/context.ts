/**
 * What a message is rendered from, as its templates see the plan: the campaign, the coordinating
 * office, a department, a deadline occurrence. Each kind of message (mail/messages/<kind>.ts)
 * extends {@link MessageCommon} with its own facts; mail/compose.ts fills these from the compiled
 * plan, and tests or the preview may build them by hand.
 */
import type { Contact, Language } from '../../deadlines/timeline';

export interface CampaignInfo {
  id: string;
  title: string;
}

export interface OfficeInfo {
  name: string;
  contacts: Contact[];
}

export interface DepartmentInfo {
  id: string;
  name: string;
  contacts?: Contact[];
}

/** One deadline occurrence, as shown in messages. */
export interface DeadlineInfo {
  /** Deadline id from the plan. */
  id: string;
  /** Occurrence key `${deadlineId}@yyyy-MM-dd`. */
  occurrenceKey: string;
  title: string;
  /** Due instant, ISO with offset. */
  due: string;
  description?: string;
  /** What to submit; `form` is the form's title. */
  submit: { report: boolean; form?: string; attachments: boolean };
}

/** What every message's render context holds. */
export interface MessageCommon {
  language: Language;
  /** IANA zone of the campaign. */
  timezone: string;
  campaign: CampaignInfo;
  /** The coordinating office: its name and contacts are shown as "who to ask". */
  office: OfficeInfo;
}

/** A department late with a deadline, in a digest. */
export interface LateItem {
  department: DepartmentInfo;
  deadline: DeadlineInfo;
  link?: string;
}

