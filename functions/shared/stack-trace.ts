/**
 * Stack traces in the terms of our sources, read from the source map shipped beside each bundle, when an
 * error is logged: not at every cold start. Node's `--enable-source-maps` reads and indexes the whole map
 * while it loads the bundle (about 10 ms of each cold start on Node 20, issue 10) although most containers
 * never log a stack; here the map is read the first time a stack of that bundle is logged, then kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `    at name (file:///var/task/functions/x.mjs:8:1234)` or `    at file:///…/x.mjs:8:1234`. */
const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?\/[^\s()]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    let map: SourceMap | undefined;
    try {
      if (existsSync(mapFile)) map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      // An unreadable map leaves the frames as they are: a stack is never worth failing a log line.
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

function originalFrame(line: string): string {
  const [, head = '', location, lineNumber, column, tail = ''] = FRAME.exec(line) ?? [];
  if (!location) return line;
  const file = location.startsWith('file:') ? fileURLToPath(location) : location;
  const origin = sourceMapOf(file)?.findOrigin(Number(lineNumber), Number(column));
  if (!origin || !('fileName' in origin)) return line;
  // The function names stay as the bundle has them (minified); the file, line and column are ours.
  const source = origin.fileName.replace(/^(?:\.\.\/)+/, '');
  return `${head}${source}:${origin.lineNumber}:${origin.columnNumber}${tail}`;
}

/** The call sites of a stack (its `at` lines), mapped to our sources where the bundle ships a map. */
export function callSites(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .map(originalFrame)
    .join('\n');
}

/** A whole stack (message line included) with its call sites mapped. */
export function originalStack(stack: string | undefined): string | undefined {
  if (!stack) return stack;
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => line.trimStart().startsWith('at '));
  if (firstFrame < 0) return stack;
  return [...lines.slice(0, firstFrame), callSites(lines.slice(firstFrame).join('\n'))].join('\n');
}
