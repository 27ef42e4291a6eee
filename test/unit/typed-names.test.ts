/**
 * Names a department types, as they are kept and shown: file names cut by grapheme within 120
 * characters and 255 UTF-8 bytes with their extension (100 emoji + .jpeg was cut inside a surrogate
 * pair and its download answered 500), combining marks and CJK kept whole; bidi controls and
 * zero-width characters removed from file names and names columns, shown as codes in free text; a
 * Content-Disposition for any stored name, one cut mid-pair by an earlier release included; and the
 * refusal of a file one byte over the limit, reading as more than the limit.
 */
import { describe, expect, it } from 'vitest';
import { checkFormValues } from '../../obligations/form-data';
import { attachmentFileName, checkAttachments, describeRefusal, extensionOf, FILE_NAME_LIMIT } from '../../obligations/submission-rules';
import { codePointLength, cutGraphemes, revealInvisibleMarks, splitInvisibleMarks, utf8Length, withoutInvisibleMarks } from '../../obligations/typed-text';
import type { CompiledForm } from '../../deadlines/timeline';
import { contentDisposition } from '../../portal/context';
import { revealed } from '../../portal/html';

const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);
/** Whether `cut` is whole graphemes of `whole`, from its start. */
const isGraphemePrefix = (cut: string, whole: string) => {
  const a = graphemes(cut);
  return a.every((g, i) => g === graphemes(whole)[i]);
};
/** What a client gets from `filename*=UTF-8''…`. */
const decodedName = (header: string) => decodeURIComponent(/filename\*=UTF-8''([^;\s]+)/.exec(header)![1]!);

describe('file names cut between graphemes, keeping the extension', () => {
  it('100 emoji + .jpeg: cut to whole emoji within 255 bytes, still a .jpeg, encodable', () => {
    const given = `${'😀'.repeat(100)}.jpeg`;
    expect(given.length).toBe(205); // UTF-16 units: the old cut at 120 split a pair
    const name = attachmentFileName(given);
    expect(name).toBe(`${'😀'.repeat(62)}.jpeg`);
    expect(utf8Length(name)).toBe(253);
    expect(() => encodeURIComponent(name)).not.toThrow();
    expect(extensionOf(name)).toBe('.jpeg');
    expect(checkAttachments([{ name }])).toBeUndefined();
  });

  it('CJK: 120 characters at most, 255 bytes at most (85 characters of three bytes)', () => {
    const name = attachmentFileName(`${'春风行动工作总结'.repeat(20)}.docx`);
    expect(name).toBe(`${'春风行动工作总结'.repeat(20).slice(0, 83)}.docx`);
    expect(utf8Length(name)).toBeLessThanOrEqual(FILE_NAME_LIMIT.bytes);
    // Short enough names are kept as they are.
    expect(attachmentFileName('2024年3月 招聘会现场照片（东区）.jpg')).toBe('2024年3月 招聘会现场照片（东区）.jpg');
    // ASCII: the character limit binds first.
    expect(attachmentFileName(`${'a'.repeat(300)}.pdf`)).toBe(`${'a'.repeat(116)}.pdf`);
  });

  it('combining marks stay with their letter; a family emoji (joined by U+200D) is never split', () => {
    // q̣́ has no precomposed form: three code points, one grapheme.
    const marked = attachmentFileName(`${'q\u0323\u0301'.repeat(60)}.pdf`);
    expect(marked).toBe(`${'q\u0323\u0301'.repeat(38)}.pdf`);
    expect(isGraphemePrefix(marked.slice(0, -4), 'q\u0323\u0301'.repeat(60))).toBe(true);
    const family = '👨\u200d👩\u200d👧';
    const families = attachmentFileName(`${family.repeat(20)}.png`);
    expect(families).toBe(`${family.repeat(13)}.png`);
    // A letter under more marks than the limit: cut between its code points, never mid-pair.
    const zalgo = cutGraphemes(`a${'\u0301'.repeat(500)}`, { chars: 10 });
    expect(codePointLength(zalgo)).toBe(10);
    expect(cutGraphemes('😀😀😀', { chars: 2 })).toBe('😀😀');
    expect(cutGraphemes('😀😀😀', { chars: 9, bytes: 5 })).toBe('😀');
  });

  it('composes decomposed names (NFC), drops paths, controls and the characters Windows refuses', () => {
    expect(attachmentFileName('Re\u0301sume\u0301.pdf')).toBe('Résumé.pdf');
    expect(attachmentFileName('C:\\Users\\张三\\桌面\\报告.pdf')).toBe('报告.pdf');
    expect(attachmentFileName('../../etc/passwd.txt')).toBe('passwd.txt');
    expect(attachmentFileName('a\u0000b\nc"<>|:*?.pdf')).toBe('abc.pdf');
    expect(attachmentFileName('.pdf')).toBe('附件.pdf');
    expect(attachmentFileName('\ud83d.pdf')).toBe('\ufffd.pdf');
  });
});

describe('bidi controls and zero-width characters', () => {
  const RLO = '\u202e';
  it('are removed from file names: report<RLO>fdp.exe shows what it is', () => {
    expect(attachmentFileName(`report${RLO}fdp.exe`)).toBe('reportfdp.exe');
    expect(checkAttachments([{ name: attachmentFileName(`report${RLO}fdp.exe`) }])).toMatchObject({ code: 'attachment-kind' });
    const every = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\ufeff\u2060';
    expect(attachmentFileName(`东${every}区.pdf`)).toBe('东区.pdf');
    expect(withoutInvisibleMarks(`a${every}b`)).toBe('ab');
  });

  it('keep a zero-width joiner inside an emoji sequence, drop it elsewhere', () => {
    expect(withoutInvisibleMarks('👩\u200d💻')).toBe('👩\u200d💻');
    expect(withoutInvisibleMarks('👍🏽\u200d👍')).toBe('👍🏽\u200d👍');
    expect(withoutInvisibleMarks('张\u200d三')).toBe('张三');
    expect(withoutInvisibleMarks('👩\u200d张')).toBe('👩张');
  });

  it('are removed from the names a department types in a names column', () => {
    const form = { id: 'f', title: '表', columns: [{ id: 'who', label: '填报人', type: 'names' }] } as CompiledForm;
    expect(checkFormValues(form, { who: `张三${RLO}、\u200b李四\u2066、张三` }).values.who).toEqual(['张三', '李四']);
    expect(checkFormValues(form, { who: ['王\u200f五', '\ufeff'] }).values.who).toEqual(['王五']);
  });

  it('are shown as codes where text keeps them (a report, a text column): on the coordinator’s pages and in messages', () => {
    expect(splitInvisibleMarks(`付款${RLO}元0001`)).toEqual(['付款', 'U+202E', '元0001']);
    expect(splitInvisibleMarks('无')).toEqual(['无']);
    expect(revealInvisibleMarks(`a\u200bb`)).toBe('a⟦U+200B⟧b');
    expect(revealed(`<b>${RLO}x`).html).toBe('&#60;b&#62;<span class="invisible-mark" title="不可见的控制字符">U+202E</span>x');
  });
});

describe('the coordinator’s download names any stored name', () => {
  it('filename* carries the name in UTF-8 (RFC 5987), filename an ASCII fallback', () => {
    const name = attachmentFileName(`${'😀'.repeat(100)}.jpeg`);
    const header = contentDisposition(name);
    expect(decodedName(header)).toBe(name);
    expect(header).toMatch(/^attachment; filename="download\.jpeg"; filename\*=UTF-8''(%F0%9F%98%80){62}\.jpeg$/);
    expect(contentDisposition('2024 报告 (final).pdf')).toBe(`attachment; filename="2024_final.pdf"; filename*=UTF-8''2024%20%E6%8A%A5%E5%91%8A%20%28final%29.pdf`);
    expect(contentDisposition('汇总.csv', 'summary.csv')).toBe(`attachment; filename="summary.csv"; filename*=UTF-8''%E6%B1%87%E6%80%BB.csv`);
  });

  it('never throws: a name cut inside a surrogate pair by an earlier release, quotes, line breaks', () => {
    const old = `${'😀'.repeat(100)}.jpeg`.slice(-120); // what the earlier release stored
    expect(() => encodeURIComponent(old)).toThrow(URIError);
    const header = contentDisposition(old);
    expect(decodedName(header)).toBe(`\ufffd${'😀'.repeat(57)}.jpeg`);
    for (const hostile of ['a"b.pdf', 'a\r\nSet-Cookie: x=1.pdf', "it's;.pdf", '\\.pdf', '%41.pdf']) {
      const h = contentDisposition(hostile);
      expect(h).not.toMatch(/[\r\n]/);
      expect(/filename="([^"]*)"/.exec(h)![1]).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(decodedName(h)).toBe(hostile);
    }
    expect(contentDisposition('')).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });
});

describe('a file one byte over the limit', () => {
  it('reads as more than the limit, in bytes when the rounded size would look equal', () => {
    const MiB = 1024 * 1024;
    const over = checkAttachments([{ name: '现场照片.pdf', size: 10 * MiB + 1 }], { maxFiles: 3, maxFileBytes: 10 * MiB })!;
    expect(describeRefusal(over, 'zh-CN')).toBe('文件“现场照片.pdf”过大（10,485,761 字节），超过单个文件 10 MiB（10,485,760 字节）的上限');
    expect(describeRefusal(over, 'en')).toBe("file '现场照片.pdf' is too large (10,485,761 bytes): at most 10 MiB (10,485,760 bytes) per file");
    const far = checkAttachments([{ name: 'a.pdf', size: 12.5 * MiB }], { maxFiles: 3, maxFileBytes: 10 * MiB })!;
    expect(describeRefusal(far, 'zh-CN')).toBe('文件“a.pdf”过大（12.5 MiB），超过单个文件 10 MiB 的上限');
    // Without the size (refused while it streamed): the limit alone.
    expect(describeRefusal({ code: 'attachment-too-large', params: { name: 'a.pdf', max: 10 * MiB } }, 'zh-CN')).toBe('文件“a.pdf”过大，单个文件不得超过 10 MiB');
    // Exactly the limit is accepted.
    expect(checkAttachments([{ name: 'a.pdf', size: 10 * MiB }], { maxFiles: 3, maxFileBytes: 10 * MiB })).toBeUndefined();
  });
});
