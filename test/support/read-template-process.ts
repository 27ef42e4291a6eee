/**
 * A process that reads one filled template the way the portal does (parseFilledTemplate, on the
 * pool's worker thread) and prints the result as JSON, then ends by itself. The XLSX tests start it
 * under tsx in the two ways the product runs: the tsx command (`npm start`, the demo) and
 * cli/campaign.mjs's register() from tsx/esm/api (`campaign portal`).
 */
import ExcelJS from 'exceljs';
import { loadPlanFile } from '../../deadlines/load';
import { formTemplateXlsx, parseFilledTemplate } from '../../reports/xlsx';

const loaded = loadPlanFile('definitions/shanxi-2024.yaml');
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const plan = loaded.plan;
const stats = plan.forms.find((f) => f.id === 'stats')!;
const wb = new ExcelJS.Workbook();
await wb.xlsx.load((await formTemplateXlsx(plan, 'stats', { department: { id: 'taiyuan', name: '太原市' }, deadlineId: 'weekly-stats' })) as unknown as ArrayBuffer);
const ws = wb.worksheets.find((w) => w.state === 'visible')!;
ws.getCell('B5').value = 12;
ws.getCell('S5').value = '小店区、迎泽区';
const result = await parseFilledTemplate(Buffer.from(await wb.xlsx.writeBuffer()), stats);
process.stdout.write(JSON.stringify(result) + '\n');
