/**
 * A department's page read the way its browser would post from it, for the tests and the rush
 * benchmark that drive the portal over plain HTTP: the hidden fields of an occurrence's forms (CSRF
 * token, idempotency key), a multipart post of the web form or of a filled template, and what the
 * answer page says became of the submission (its data-outcome, receipt id and version).
 */

export interface PageForm {
  csrf: string;
  key: string;
}

/** The hidden fields of the web form and the upload form for one occurrence on a department's page. */
export function formsOf(page: string, occurrence: string): { submit: PageForm; upload?: PageForm } {
  const id = `occ-${occurrence.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const start = page.indexOf(`<section class="card" id="${id}"`);
  if (start < 0) throw new Error(`the page has no form for ${occurrence}`);
  const section = page.slice(start, page.indexOf('</section>', start));
  const forms = [...section.matchAll(/<form method="post" action="[^"]*\/(submit|upload)"[\s\S]*?<\/form>/g)].map((m) => ({
    action: m[1]!,
    csrf: /name="csrf" value="([^"]+)"/.exec(m[0])?.[1] ?? '',
    key: /name="key" value="([^"]+)"/.exec(m[0])?.[1] ?? '',
  }));
  const submit = forms.find((f) => f.action === 'submit');
  if (!submit) throw new Error(`no web form for ${occurrence}`);
  const upload = forms.find((f) => f.action === 'upload');
  return { submit: { csrf: submit.csrf, key: submit.key }, ...(upload ? { upload: { csrf: upload.csrf, key: upload.key } } : {}) };
}

/** What an answer page says became of the submission (data-outcome), if it says. */
export function outcomeOf(page: string): string | undefined {
  return /data-outcome="([a-z-]+)"/.exec(page)?.[1];
}

/** The receipt number and version on a receipt page. */
export function receiptOf(page: string): { id: string; version: number } | undefined {
  const id = /<dt>回执编号<\/dt><dd class="muted">([^<]+)<\/dd>/.exec(page)?.[1];
  const version = /<dt>版本<\/dt><dd>第(\d+)版/.exec(page)?.[1];
  return id && version ? { id, version: Number(version) } : undefined;
}

export interface Answer {
  status: number;
  body: string;
  retryAfter: string | null;
  ms: number;
}

/** Posts a form (multipart, with the portal's origin, as the page's browser would). */
export async function postForm(url: string, origin: string, fields: Array<[string, string]>, file?: { field: string; name: string; type: string; data: Buffer }, signal?: AbortSignal): Promise<Answer> {
  const fd = new FormData();
  for (const [k, v] of fields) fd.append(k, v);
  if (file) fd.append(file.field, new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body: fd, headers: { origin }, signal });
  const body = await res.text();
  return { status: res.status, body, retryAfter: res.headers.get('retry-after'), ms: performance.now() - t0 };
}
