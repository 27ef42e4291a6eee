/**
 * A small compiled plan and one request per message kind, modelled on the 2024 Shanxi notice
 * (seed 001): used by `mail/preview.ts` (so a coordinator can see an edited template) and by the
 * mail tests. Every address is under the reserved .example domain.
 */
import type { CompiledPlan, Language } from '../deadlines/timeline';
import type { ComposeRequest } from '../obligations/message-requests';
import type { MessageKind } from './messages';

export function samplePlan(language: Language = 'zh-CN'): CompiledPlan {
  const zh = language === 'zh-CN';
  return {
    format: 1,
    campaign: {
      id: 'shanxi-2024',
      title: zh ? '2024年山西省春风行动' : 'Spring Breeze Action 2024 (Shanxi)',
      timezone: 'Asia/Shanghai',
      language,
      periodStart: '2024-01-25T00:00:00.000+08:00',
      periodEnd: '2024-04-08T23:59:59.999+08:00',
      endOfWorkday: '18:00',
      office: {
        name: zh ? '山西省人力资源和社会保障厅' : 'Shanxi Human Resources and Social Security Department',
        contacts: [{ name: zh ? '就业促进处' : 'Employment Promotion Division', email: 'coordinator@shanxi.example' }],
      },
    },
    departments: [
      {
        id: 'taiyuan',
        name: zh ? '太原市人力资源和社会保障局' : 'Taiyuan HR Bureau',
        contacts: [{ name: zh ? '联络员' : 'Liaison', email: 'taiyuan@shanxi.example' }],
        leaders: [{ name: zh ? '分管领导' : 'Deputy director', email: 'taiyuan-leader@shanxi.example' }],
        groups: ['cities'],
      },
      {
        id: 'datong',
        name: zh ? '大同市人力资源和社会保障局' : 'Datong HR Bureau',
        contacts: [{ name: zh ? '联络员' : 'Liaison', email: 'datong@shanxi.example' }],
        leaders: [{ name: zh ? '分管领导' : 'Deputy director', email: 'datong-leader@shanxi.example' }],
        groups: ['cities'],
      },
      {
        id: 'yangquan',
        name: zh ? '阳泉市人力资源和社会保障局' : 'Yangquan HR Bureau',
        contacts: [{ name: zh ? '联络员' : 'Liaison', email: 'yangquan@shanxi.example' }],
        leaders: [],
        groups: ['cities'],
      },
    ],
    forms: [
      {
        id: 'stats',
        title: zh ? '春风行动开展情况统计表' : 'Spring Breeze Action statistics',
        columns: [
          { id: 'online_fairs', label: zh ? '线上招聘会场次' : 'Online job fairs', type: 'count', cumulative: true },
          { id: 'transported', label: zh ? '合计运送人次' : 'Workers transported', type: 'count' },
        ],
      },
    ],
    deadlines: [
      {
        id: 'contact-person',
        title: zh ? '联系人及联系方式' : 'Contact person and details',
        kind: 'one-off',
        submit: { report: true, attachments: false },
        departments: ['taiyuan', 'datong', 'yangquan'],
        occurrences: [
          {
            key: 'contact-person@2024-01-25',
            due: '2024-01-25T18:00:00.000+08:00',
            opens: '2024-01-25T00:00:00.000+08:00',
            reminders: [],
            escalations: [],
          },
        ],
      },
      {
        id: 'pre-festival-report',
        title: zh ? '春节前阶段性活动进展情况' : 'Pre-festival progress report',
        kind: 'one-off',
        submit: { report: true, form: 'stats', attachments: true },
        description: zh
          ? '活动开展情况（启动仪式、活动计划安排）；农民工返乡情况；困难问题和意见建议'
          : 'How the campaign is going (launch, plans); migrant workers returning home; problems and suggestions',
        departments: ['taiyuan', 'datong', 'yangquan'],
        occurrences: [
          {
            key: 'pre-festival-report@2024-02-02',
            due: '2024-02-02T18:00:00.000+08:00',
            opens: '2024-01-25T00:00:00.000+08:00',
            reminders: [
              { at: '2024-01-30T18:00:00.000+08:00', before: '3d' },
              { at: '2024-02-01T18:00:00.000+08:00', before: '1d' },
              { at: '2024-02-02T16:00:00.000+08:00', before: '2h' },
            ],
            escalations: [
              { at: '2024-02-02T18:00:00.000+08:00', step: 1, to: ['department', 'leaders'], label: zh ? '截止时' : 'at due' },
              { at: '2024-02-05T18:00:00.000+08:00', step: 2, to: ['coordinator'], label: zh ? '逾期1个工作日' : '1 working day late' },
              { at: '2024-02-06T18:00:00.000+08:00', step: 3, to: ['department', 'leaders'], label: zh ? '每日' : 'daily' },
            ],
          },
        ],
      },
    ],
  };
}

export const SAMPLE_FROM = { name: '春风行动办公室', address: 'noreply@shanxi.example' };

/** One request per kind, against {@link samplePlan}. */
export function sampleRequests(language: Language = 'zh-CN'): Record<MessageKind, ComposeRequest> {
  const zh = language === 'zh-CN';
  const figures = [
    { label: zh ? '线上招聘会场次' : 'Online job fairs', value: 12, unit: zh ? '场' : '' },
    { label: zh ? '合计运送人次' : 'Workers transported', value: 1200, unit: zh ? '人次' : '' },
  ];
  const occ = 'pre-festival-report@2024-02-02';
  const link = 'https://portal.shanxi.example/s/taiyuan-7f3a';
  return {
    launch: { kind: 'launch', departmentId: 'taiyuan', link },
    reminder: { kind: 'reminder', occurrenceKey: occ, departmentId: 'taiyuan', before: '3d', link },
    overdue: { kind: 'overdue', occurrenceKey: occ, departmentId: 'taiyuan', step: 1, at: '2024-02-02T18:00:00.000+08:00', link },
    escalation: { kind: 'escalation', occurrenceKey: occ, departmentId: 'datong', step: 2, at: '2024-02-05T18:00:00.000+08:00', link },
    chase: { kind: 'chase', occurrenceKey: occ, departmentId: 'taiyuan', chaseId: 'c0ffee00-chase', at: '2024-02-03T10:00:00.000+08:00', link },
    'coordinator-digest': {
      kind: 'coordinator-digest',
      at: '2024-02-05T09:00:00.000+08:00',
      late: [
        { occurrenceKey: occ, departmentId: 'datong' },
        { occurrenceKey: occ, departmentId: 'yangquan' },
      ],
      link: 'https://portal.shanxi.example/coordinator',
    },
    receipt: {
      kind: 'receipt',
      occurrenceKey: occ,
      departmentId: 'taiyuan',
      submissionId: 'R-20240201-0042',
      submittedAt: '2024-02-01T10:30:00.000+08:00',
      submittedBy: zh ? '张三' : 'Zhang San',
      link,
      summary: figures,
    },
    rollup: {
      kind: 'rollup',
      occurrenceKey: occ,
      at: '2024-02-02T18:00:00.000+08:00',
      submitted: [{ departmentId: 'taiyuan', at: '2024-02-01T10:30:00.000+08:00' }],
      totals: figures,
      link: 'https://portal.shanxi.example/coordinator',
    },
    'weekly-digest': {
      kind: 'weekly-digest',
      weekStart: '2024-01-29',
      weekEnd: '2024-02-04',
      received: 1,
      upcoming: [{ occurrenceKey: occ, outstanding: 2 }],
      late: [{ occurrenceKey: 'contact-person@2024-01-25', departmentId: 'yangquan' }],
      link: 'https://portal.shanxi.example/coordinator',
    },
    'final-summary': {
      kind: 'final-summary',
      totals: { obligations: 6, onTime: 4, late: 1, missing: 1 },
      attachment: { filename: 'shanxi-2024-summary.xlsx', content: Buffer.from('PK\u0003\u0004 sample workbook bytes') },
    },
  };
}
