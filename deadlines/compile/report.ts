/**
 * Where the problems found while compiling a plan go. Every step of compilation reports through
 * one Report, in the order it finds them, each diagnostic pinned to the line and column of the
 * plan's YAML it is about (load.ts sorts them by position afterwards, keeping this order on ties).
 */
import { type Diagnostic, diagnosticAt, type Position } from '../diagnostics';
import type { Message } from '../messages/core';
import type { Locator, PathSegment } from '../parse';

export interface CompileContext {
  file: string;
  locate: Locator;
}

/** Which part of a `key: value` pair a diagnostic points at. */
export type Target = 'key' | 'value';

export class Report {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  constructor(private readonly ctx: CompileContext) {}

  /** Line and column of a place in the plan. */
  at(path: PathSegment[], target: Target = 'value'): Position {
    return this.ctx.locate(path, target);
  }

  error(path: PathSegment[], message: Message, target: Target = 'value'): void {
    this.errors.push(diagnosticAt(this.ctx.file, this.at(path, target), message));
  }

  warn(path: PathSegment[], message: Message, target: Target = 'value'): void {
    this.warnings.push(diagnosticAt(this.ctx.file, this.at(path, target), message, 'warning'));
  }
}

export { listSome } from '../messages/core';
