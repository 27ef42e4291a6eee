/**
 * What an admin reads in the Temporal Web UI when opening a campaign: every timer says what it
 * waits for and every activity call what it does, in the plan's language. Read from the history a
 * real run recorded (test/histories/*-v3*.json, tools/scripts/record-histories.ts v3, the demo
 * plan in zh-CN), decoding the events' user metadata with the default payload converter as the
 * UI does; and the limits Temporal puts on that metadata, for a plan of 1,000 departments.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { compiledPlan } from '../support/engine-env';
import {
  campaignStartMetadata,
  cutToBytes,
  deliverySummary,
  DETAILS_MAX_BYTES,
  shardStartMetadata,
  SUMMARY_MAX_BYTES,
} from '../../obligations/workflow-metadata';
import { NAMED_IN_WEB_UI } from '../../workflows/policies';
import type { CompiledPlan } from '../../deadlines/timeline';

const dir = fileURLToPath(new URL('../histories/', import.meta.url));
const EventType = { TIMER_STARTED: 17, ACTIVITY_TASK_SCHEDULED: 10, MARKER_RECORDED: 25, WORKFLOW_EXECUTION_STARTED: 1 };

function events(file: string): temporal.api.history.v1.IHistoryEvent[] {
  return historyFromJSON(JSON.parse(readFileSync(`${dir}${file}`, 'utf8'))).events ?? [];
}
const text = (p: temporal.api.common.v1.IPayload | null | undefined) => (p ? defaultPayloadConverter.fromPayload<string>(p) : undefined);
const summariesOf = (evs: temporal.api.history.v1.IHistoryEvent[], type: number) => evs.filter((e) => e.eventType === type).map((e) => text(e.userMetadata?.summary));
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const HAN = /\p{Script=Han}/u;

describe('a recorded shard and campaign (demo plan, zh-CN) name their timers and activities in Chinese', () => {
  const shard = events('campaign__demo-recorded-v3__shard-000.json');
  const campaign = events('campaign__demo-recorded-v3.json');

  it('the history was recorded under the patch that names them', () => {
    for (const evs of [shard, campaign]) {
      const markers = evs.filter((e) => e.eventType === EventType.MARKER_RECORDED).map((e) => text(e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]));
      expect(markers.some((m) => JSON.stringify(m).includes(NAMED_IN_WEB_UI))).toBe(true);
    }
  });

  it('every timer of the shard says what falls due, in Chinese, within the size limit', () => {
    const timers = summariesOf(shard, EventType.TIMER_STARTED);
    expect(timers.length).toBeGreaterThan(10);
    for (const s of timers) {
      expect(s).toMatch(HAN);
      expect(bytes(JSON.stringify(s))).toBeLessThanOrEqual(400);
    }
    expect(timers).toContain('启动通知 · 3个单位 · 2024年3月4日 00:00');
    expect(timers).toContain('提醒 · 每周招聘活动情况 · 1天前 · 3个单位 · 2024年3月5日 12:00');
    expect(timers).toContain('催报 · 每周招聘活动情况 · 到期 · 3个单位 · 2024年3月13日 12:00');
    // the coordinator paused reminders on 03-05 09:00: what the shard waits for then is not sent
    expect(timers.some((s) => s!.startsWith('(暂停中，不发送) 提醒 · 每周招聘活动情况'))).toBe(true);
  });

  it('every delivery of the shard says how many emails of which kind it sends', () => {
    const activities = summariesOf(shard, EventType.ACTIVITY_TASK_SCHEDULED);
    expect(activities.length).toBeGreaterThan(10);
    for (const s of activities.slice(0, -1)) expect(s).toMatch(/^发送 \d+ 封/);
    // east on time (03-05), west late (03-14), north excused; 12 obligations in all
    expect(activities.at(-1)).toBe('保存本组报送结果 · 已报 1 · 迟报 1 · 免报 1 · 待报 9');
    expect(activities[0]).toBe('发送 3 封启动通知邮件');
    expect(activities).toContain('发送 3 封提醒邮件 · 每周招聘活动情况 · 2小时前');
    expect(activities).toContain('发送 1 封回执邮件 · 每周招聘活动情况');
  });

  it('the shard carries its campaign, its departments and the period', () => {
    const started = shard.find((e) => e.eventType === EventType.WORKFLOW_EXECUTION_STARTED)!;
    expect(text(started.userMetadata?.summary)).toBe('演示活动（2024年3月） · 第1组 · 3个单位 · 2024年3月4日—2024年3月24日');
    expect(text(started.userMetadata?.details)).toContain('东区人社局、西区人社局、北区人社局');
  });

  it("every timer and activity of the campaign says which roll-up, digest or end it is", () => {
    const timers = summariesOf(campaign, EventType.TIMER_STARTED);
    const activities = summariesOf(campaign, EventType.ACTIVITY_TASK_SCHEDULED);
    for (const s of [...timers, ...activities]) expect(s).toMatch(HAN);
    expect(timers).toContain('汇总 · 每周招聘活动情况 · 2024年3月6日 12:00');
    expect(timers).toContain('逾期汇总 · 2024年3月7日 12:00');
    expect(timers).toContain('周报 · 2024年3月11日 09:00');
    expect(timers.at(-1)).toBe('活动结束 · 2024年3月24日');
    expect(activities).toContain('发送汇总 · 报送联系人及联系方式');
    expect(activities).toContain('发送周报 · 2024年3月4日—2024年3月10日');
    expect(activities.at(-1)).toBe('写入最终汇总 · 演示活动（2024年3月）');
  });

  it('the histories recorded before the patch carry no names (they replay as they ran)', () => {
    expect(summariesOf(events('campaign__demo-recorded-v2__shard-000.json'), EventType.TIMER_STARTED).every((s) => s === undefined)).toBe(true);
  });
});

describe("the metadata stays within Temporal's limits", () => {
  const demo = compiledPlan(fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url)));
  const long = '很长的单位名称'.repeat(12);
  const big: CompiledPlan = {
    ...demo,
    campaign: { ...demo.campaign, title: `${'春风行动'.repeat(40)}\n第二行` },
    departments: Array.from({ length: 1000 }, (_, i) => ({ ...demo.departments[0]!, id: `d${i}`, name: `${long}${i}` })),
  };

  it('a 1,000-department shard and campaign: one-line summary under 300 bytes, details under 4 KB', () => {
    for (const m of [shardStartMetadata(big, 0), campaignStartMetadata(big)]) {
      expect(bytes(m.staticSummary)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
      expect(m.staticSummary).not.toMatch(/\n/);
      expect(m.staticSummary.endsWith('…')).toBe(true);
      expect(bytes(m.staticDetails)).toBeLessThanOrEqual(DETAILS_MAX_BYTES);
      expect(m.staticDetails.endsWith('…')).toBe(true);
    }
  });

  it('cuts between code points, never inside a character', () => {
    expect(cutToBytes('提醒提醒', 12)).toBe('提醒提醒');
    expect(cutToBytes('提醒提醒', 11)).toBe('提醒…');
    expect(cutToBytes('a😀b', 6)).toBe('a😀b');
    expect(cutToBytes('a😀b', 5)).toBe('a…');
  });

  it('an English plan is named in English', () => {
    const en: CompiledPlan = { ...demo, campaign: { ...demo.campaign, language: 'en' } };
    expect(deliverySummary(en, demo.departments.map((d) => ({ kind: 'launch', departmentId: d.id, link: '' })))).toBe('Send 3 launch notice emails');
    expect(campaignStartMetadata(en).staticSummary).toBe('演示活动（2024年3月） · 4 Mar 2024—24 Mar 2024 · 3 departments · 2 deadlines');
  });
});

describe('a recorded shard and campaign (v4) keep their progress searchable', () => {
  // UpsertWorkflowSearchAttributes events, decoded as the visibility store reads them.
  const UPSERT = 40;
  const upserts = (file: string) =>
    events(file)
      .filter((e) => e.eventType === UPSERT)
      .map((e) => {
        const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
        return Object.fromEntries(Object.entries(fields).map(([k, p]) => [k, defaultPayloadConverter.fromPayload(p)]));
      });

  it('the shard: pending and overdue counts and the next due as they change, none pending at the end but the ones never submitted', () => {
    const shard = upserts('campaign__demo-recorded-v4__shard-000.json').filter((u) => 'CampaignPending' in u || 'CampaignOverdue' in u || 'CampaignNextDue' in u);
    expect(shard.length).toBeGreaterThan(2);
    const first = shard[0]!;
    expect(first).toMatchObject({ CampaignId: 'demo-recorded-v4', CampaignOverdue: 0 });
    expect(first.CampaignPending).toBeGreaterThan(0);
    // each upsert carries only what changed
    for (const u of shard.slice(1)) expect(Object.keys(u).length).toBeLessThanOrEqual(3);
    const overdue = shard.map((u) => u.CampaignOverdue).filter((v) => v !== undefined);
    expect(Math.max(...(overdue as number[]))).toBeGreaterThan(0);
  });

  it('the campaign: its next due instant, cleared when it completes, and its final counts', () => {
    const campaign = upserts('campaign__demo-recorded-v4.json');
    const nextDues = campaign.filter((u) => 'CampaignNextDue' in u).map((u) => u.CampaignNextDue);
    expect(nextDues[0]).toBe('2024-03-06T04:00:00.000Z'); // Wednesday 03-06 12:00 in Shanghai
    expect(nextDues.at(-1)).toBeNull(); // nothing falls due any more
    // once completed: the obligations never submitted, all of them overdue by then
    const final = campaign.filter((u) => 'CampaignPending' in u);
    expect(final).toHaveLength(1);
    expect(final[0]!.CampaignOverdue).toBe(final[0]!.CampaignPending);
    expect(final[0]!.CampaignPending).toBeGreaterThan(0);
  });
});
