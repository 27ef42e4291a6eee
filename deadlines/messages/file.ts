/**
 * What is said about the plan file as a file: its bytes (size, encoding, binary data), its
 * characters (full-width punctuation, full-width and no-break spaces where YAML needs ASCII ones)
 * and its YAML (syntax, duplicate keys, aliases, depth), as parse/ and load.ts find them. The fix
 * is always named: which character, its Unicode name, and what to type instead.
 */
import { catalogue, type Words } from './core';

const lc = (s: string) => `${s.charAt(0).toLowerCase()}${s.slice(1)}`;

/** How to save a file as UTF-8 in the editors offices use, for the encoding messages. */
const SAVE_AS_UTF8_ZH = '另存为 UTF-8（记事本：文件 → 另存为 → 编码选“UTF-8”；WPS 或 Excel：另存为 → 文件类型或编码选“UTF-8”）';

/** A character that looks like YAML's own but is not: its Unicode name and its name in Chinese. */
export interface CharacterName {
  unicode: string;
  zh: string;
}

const CHARACTERS: Record<string, CharacterName> = {
  '\uFF1A': { unicode: 'U+FF1A FULLWIDTH COLON', zh: '全角冒号' },
  '\uFF0C': { unicode: 'U+FF0C FULLWIDTH COMMA', zh: '全角逗号' },
  '\u3001': { unicode: 'U+3001 IDEOGRAPHIC COMMA', zh: '顿号' },
  '\uFF1B': { unicode: 'U+FF1B FULLWIDTH SEMICOLON', zh: '全角分号' },
  '\u3000': { unicode: 'U+3000 IDEOGRAPHIC SPACE', zh: '全角空格' },
  '\u00A0': { unicode: 'U+00A0 NO-BREAK SPACE', zh: '不换行空格' },
  '\u2002': { unicode: 'U+2002 EN SPACE', zh: '半角宽空格' },
  '\u2003': { unicode: 'U+2003 EM SPACE', zh: '全角宽空格' },
  '\u2009': { unicode: 'U+2009 THIN SPACE', zh: '窄空格' },
  '\u200B': { unicode: 'U+200B ZERO WIDTH SPACE', zh: '零宽空格' },
  '\u202F': { unicode: 'U+202F NARROW NO-BREAK SPACE', zh: '窄不换行空格' },
  '\uFEFF': { unicode: 'U+FEFF ZERO WIDTH NO-BREAK SPACE', zh: '零宽不换行空格（BOM）' },
  '\u3010': { unicode: 'U+3010 LEFT BLACK LENTICULAR BRACKET', zh: '方头括号' },
  '\u3011': { unicode: 'U+3011 RIGHT BLACK LENTICULAR BRACKET', zh: '方头括号' },
  '\uFF3B': { unicode: 'U+FF3B FULLWIDTH LEFT SQUARE BRACKET', zh: '全角方括号' },
  '\uFF3D': { unicode: 'U+FF3D FULLWIDTH RIGHT SQUARE BRACKET', zh: '全角方括号' },
  '\uFF5B': { unicode: 'U+FF5B FULLWIDTH LEFT CURLY BRACKET', zh: '全角花括号' },
  '\uFF5D': { unicode: 'U+FF5D FULLWIDTH RIGHT CURLY BRACKET', zh: '全角花括号' },
  '\uFF08': { unicode: 'U+FF08 FULLWIDTH LEFT PARENTHESIS', zh: '全角圆括号' },
  '\uFF09': { unicode: 'U+FF09 FULLWIDTH RIGHT PARENTHESIS', zh: '全角圆括号' },
  '\u3014': { unicode: 'U+3014 LEFT TORTOISE SHELL BRACKET', zh: '六角括号' },
  '\u3015': { unicode: 'U+3015 RIGHT TORTOISE SHELL BRACKET', zh: '六角括号' },
  '\u201C': { unicode: 'U+201C LEFT DOUBLE QUOTATION MARK', zh: '中文双引号' },
  '\u201D': { unicode: 'U+201D RIGHT DOUBLE QUOTATION MARK', zh: '中文双引号' },
  '\u2018': { unicode: 'U+2018 LEFT SINGLE QUOTATION MARK', zh: '中文单引号' },
  '\u2019': { unicode: 'U+2019 RIGHT SINGLE QUOTATION MARK', zh: '中文单引号' },
};

/** The names of a character for messages (its code point alone when the table lacks it). */
export function characterName(ch: string): CharacterName {
  const known = CHARACTERS[ch];
  if (known) return known;
  const hex = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return { unicode: `U+${hex}`, zh: `U+${hex}` };
}

const en = (ch: string) => `'${ch}' (${characterName(ch).unicode})`;
const zh = (ch: string) => `'${ch}'（${characterName(ch).unicode}，${characterName(ch).zh}）`;

/** What to type instead of a space-like character used for indentation. */
const indentFixEn = (ch: string) => (ch === '\u3000' ? 'two ASCII spaces' : 'an ASCII space');
const indentFixZh = (ch: string) => (ch === '\u3000' ? '两个半角空格' : '一个半角空格');

export const FILE_MESSAGES = catalogue('file', {
  // ---- the bytes ------------------------------------------------------------------------------
  fileTooBig: {
    en: (size: string) => `the file is ${size}; a plan may be at most 1 MB — is this the right file?`,
    zh: (size: string) => `文件有 ${size}，计划文件最大 1 MB——是不是选错了文件？`,
  },
  textTooBig: {
    en: (size: string) => `the plan is ${size}; a plan may be at most 1 MB — is this the right file?`,
    zh: (size: string) => `计划有 ${size}，计划文件最大 1 MB——是不是选错了文件？`,
  },
  utf16: {
    en: () => 'the file is saved as UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)',
    zh: () => `文件是以 UTF-16 编码保存的；请${SAVE_AS_UTF8_ZH}`,
  },
  gbk: {
    en: () => 'the file is not UTF-8 text (it is saved as GBK/GB18030, the Chinese Windows encoding Notepad calls "ANSI"); save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)',
    zh: () => `文件不是 UTF-8 编码：它是以 GBK/GB18030（中文 Windows 的默认编码，记事本里叫“ANSI”）保存的；请${SAVE_AS_UTF8_ZH}`,
  },
  notUtf8: {
    en: () => 'the file is not UTF-8 text (it may be saved as GBK/GB18030 or be a binary file); save it as UTF-8 (in Notepad: Save as → Encoding → UTF-8)',
    zh: () => `文件不是 UTF-8 编码的文字（可能是以 GBK/GB18030 保存的，或者不是文本文件）；请${SAVE_AS_UTF8_ZH}`,
  },
  nulBytes: {
    en: () => 'this is not a text file (it contains NUL bytes); a plan is a YAML text file saved as UTF-8',
    zh: () => '这不是文本文件（含有 NUL 字节）；计划文件是以 UTF-8 保存的 YAML 文本文件',
  },
  nulCharacters: {
    en: () => 'this is not a text file (it contains NUL characters); a plan is a YAML text file saved as UTF-8',
    zh: () => '这不是文本（含有 NUL 字符）；计划文件是以 UTF-8 保存的 YAML 文本文件',
  },
  loneSurrogate: {
    en: () => 'the text contains a broken character (a lone UTF-16 surrogate); save the file as UTF-8',
    zh: () => `文字中有一个损坏的字符（孤立的 UTF-16 代理项）；请把文件${SAVE_AS_UTF8_ZH}`,
  },
  notText: { en: () => 'the plan is not text', zh: () => '计划不是文字' },
  empty: {
    en: () => 'the plan is empty: start from the example in docs/plan-format.md (campaign:, departments:, deadlines:)',
    zh: () => '计划是空的：请从 docs/plan-format.zh-CN.md 中的示例开始写（campaign:、departments:、deadlines:）',
  },

  // ---- the file as a file ---------------------------------------------------------------------
  directory: {
    en: () => 'this is a directory; give the path of a plan file (.yaml)',
    zh: () => '这是一个文件夹；请给出计划文件（.yaml）的路径',
  },
  notRegularFile: {
    en: () => 'this is not a regular file; give the path of a plan file (.yaml)',
    zh: () => '这不是普通文件；请给出计划文件（.yaml）的路径',
  },
  noSuchFile: {
    en: () => 'no such file; check the path (plans usually live under definitions/)',
    zh: () => '没有这个文件；请检查路径（计划文件一般放在 definitions/ 下）',
  },
  permissionDenied: {
    en: () => 'the file cannot be read (permission denied)',
    zh: () => '没有权限读取这个文件',
  },
  cannotRead: {
    en: (reason: string) => `the file cannot be read: ${reason}`,
    zh: (reason: string) => `无法读取这个文件：${reason}`,
  },
  internalError: {
    en: (reason: string) => `the plan could not be checked because of an internal error (${reason}); please report it with the plan attached`,
    zh: (reason: string) => `程序内部出错，无法检查这个计划（${reason}）；请把计划文件作为附件报告这个问题`,
  },
  moreNotShown: {
    en: (rest: number, what: 'error' | 'warning') => `… and ${rest} more ${what}${rest === 1 ? '' : 's'} after this line, not shown; fix these first`,
    zh: (rest: number, what: 'error' | 'warning') => `……此后还有 ${rest} 个${what === 'error' ? '错误' : '警告'}未显示；请先改正上面这些`,
  },

  // ---- YAML -----------------------------------------------------------------------------------
  tooDeep: {
    en: () => 'the plan is nested too deeply to be read; a plan needs only a few levels of indentation',
    zh: () => '计划嵌套层次太深，无法读取；计划文件只需要几层缩进',
  },
  tabIndent: {
    en: () => 'YAML syntax: a tab is used for indentation; YAML indents with spaces only (replace the tab with spaces)',
    zh: () => "YAML 语法错误：这一行用制表符 Tab（U+0009 CHARACTER TABULATION）缩进，YAML 只能用半角空格缩进；把 Tab 改为空格，与上面同级的键对齐",
  },
  multipleDocuments: {
    en: () => "YAML syntax: the file holds more than one YAML document ('---'); a plan is one document — remove the extra '---' or split the file",
    zh: () => "YAML 语法错误：文件中有不止一个 YAML 文档（'---'）；一个计划只能是一个文档——删去多余的 '---'，或拆成几个文件",
  },
  unclosed: {
    en: (yaml: string) =>
      `YAML syntax: ${lc(yaml)} — a quote or bracket opened above is never closed (YAML looked for it up to here); check the quotes and brackets on the lines above`,
    zh: (yaml: string) => `YAML 语法错误：上面某行的引号或括号没有闭合（YAML 一直找到这里）；请检查上面几行的引号和括号（${yaml}）`,
  },
  bracketNotClosed: {
    en: (yaml: string) => `YAML syntax: ${lc(yaml)} — a [ or { opened above is not closed before this line; check the brackets on the lines above`,
    zh: (yaml: string) => `YAML 语法错误：上面的 [ 或 { 在这一行之前没有闭合；请检查上面几行的括号（${yaml}）`,
  },
  badIndent: {
    en: (yaml: string) => `YAML syntax: ${lc(yaml)}; check the indentation of this line against the lines above`,
    zh: (yaml: string) => `YAML 语法错误：这一行的缩进与上面几行对不上，请检查缩进（${yaml}）`,
  },
  badScalarStart: {
    en: (yaml: string) => `YAML syntax: ${lc(yaml)}; put the value in quotes`,
    zh: (yaml: string) => `YAML 语法错误：这个值以 YAML 的特殊符号开头，请给值加上半角引号（${yaml}）`,
  },
  multilineKey: {
    en: (yaml: string) => `YAML syntax: ${lc(yaml)}; a key must fit on one line — check for a missing ':' or a missing quote on the line above`,
    zh: (yaml: string) => `YAML 语法错误：键必须写在一行之内——请检查上一行是否少了半角冒号 ':' 或引号（${yaml}）`,
  },
  syntax: {
    en: (yaml: string) => `YAML syntax: ${lc(yaml)}`,
    zh: (yaml: string) => `YAML 语法错误：${yaml}`,
  },
  yamlWarning: {
    en: (yaml: string) => `YAML: ${yaml}`,
    zh: (yaml: string) => `YAML 提示：${yaml}`,
  },
  aliasBomb: {
    en: (max: number) =>
      `the plan uses YAML aliases (*name) that would expand to a huge amount of data (more than ${max} expansions); write the values out instead of nesting aliases`,
    zh: (max: number) => `计划中的 YAML 别名（*名称）展开后数据量过大（超过 ${max} 次展开）；请直接写出各个值，不要层层引用别名`,
  },
  unreadable: {
    en: (yaml: string) => `the YAML could not be read: ${yaml}`,
    zh: (yaml: string) => `无法读取 YAML：${yaml}`,
  },
  notAMapping: {
    en: (found: Words) =>
      `a plan is a YAML mapping with the sections campaign:, departments:, deadlines: (and optionally calendar:, defaults:, groups:, forms:); found ${found.en}`,
    zh: (found: Words) => `计划应是一个 YAML 映射，包含 campaign:、departments:、deadlines: 几部分（可选 calendar:、defaults:、groups:、forms:）；这里却是${found.zh}`,
  },
  duplicateKey: {
    en: (key: string, line: number) =>
      `duplicate key '${key}': it already appears at line ${line} in the same mapping; YAML would keep only one of them — remove or merge the duplicate`,
    zh: (key: string, line: number) => `键 '${key}' 重复：第 ${line} 行已经有这个键；YAML 只会保留其中一个——删去或合并重复的部分`,
  },

  // ---- characters that look like YAML's own -----------------------------------------------------
  fullwidthColon: {
    en: (ch: string, key: string, fixed: string) =>
      `${en(ch)} after the key '${key}': YAML separates a key from its value with an ASCII colon followed by a space; write ${fixed}`,
    zh: (ch: string, key: string, fixed: string) => `键 '${key}' 后面用了 ${zh(ch)}，YAML 不认；改为半角冒号 ':' 后加一个空格：${fixed}`,
  },
  spaceAfterColon: {
    en: (ch: string, key: string) =>
      `${en(ch)} after '${key}:' is not a space to YAML, so '${key}' is not read as a key; replace it with an ASCII space`,
    zh: (ch: string, key: string) => `'${key}:' 后面是 ${zh(ch)}，YAML 不把它当作空格，'${key}' 因而不被当作键；改为一个半角空格`,
  },
  indentCharacter: {
    en: (ch: string) =>
      `this line is indented with ${en(ch)}; YAML indents with ASCII spaces only — replace each with ${indentFixEn(ch)}, lining the key up with the keys above it`,
    zh: (ch: string) => `这一行用 ${zh(ch)}缩进，YAML 只认半角空格；把它改为${indentFixZh(ch)}，与上面同级的键对齐`,
  },
  fullwidthSeparator: {
    en: (ch: string, fixed: string) => `${en(ch)} between list items; YAML separates items with an ASCII comma: write ${fixed}`,
    zh: (ch: string, fixed: string) => `列表项之间用了 ${zh(ch)}；改为半角逗号 ','：${fixed}`,
  },
  fullwidthBrackets: {
    en: (open: string, close: string, kind: 'list' | 'mapping', fixed: string) =>
      `${en(open)} … ${en(close)} around a ${kind}: YAML reads them as text; write the ${kind} with ASCII ${kind === 'list' ? 'brackets' : 'braces'}: ${fixed}`,
    zh: (open: string, close: string, kind: 'list' | 'mapping', fixed: string) =>
      `${kind === 'list' ? '列表' : '映射'}用了 ${zh(open)}和 ${zh(close)}，YAML 会把它们当作文字；改为半角${kind === 'list' ? '方括号' : '花括号'}：${fixed}`,
  },
  chineseQuotes: {
    en: (open: string, close: string, fixed: string) =>
      `${en(open)} … ${en(close)} are not YAML quotes: they would become part of the value; quote with ASCII quotes: ${fixed}`,
    zh: (open: string, close: string, fixed: string) => `${zh(open)}和 ${zh(close)}不是 YAML 的引号，会成为值的一部分；改用半角引号：${fixed}`,
  },
});

