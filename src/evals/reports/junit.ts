/**
 * JUnit XML for CI test reporters (GitHub Actions, GitLab, Jenkins): one <testcase> per eval case, named by
 * its id, with a <failure> carrying the reason. Metrics and gates go in the suite's <properties>.
 */
import type { EvalResult } from '../evaluate.js';

/** Whether a code point may appear in an XML 1.0 document (tab, newlines and the valid Unicode ranges). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function stripInvalidXmlChars(text: string): string {
  let out = '';
  for (const char of text) {
    if (isXmlChar(char.codePointAt(0) ?? 0)) out += char;
  }
  return out;
}

/** Escapes text for an XML attribute or element, dropping characters XML cannot hold. */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Element text: like escapeXml but keeps line breaks readable. */
function escapeText(text: string): string {
  return escapeXml(text).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function suiteName(file: string): string {
  return `evals.${file.replace(/\.(ya?ml)$/i, '').replace(/[^A-Za-z0-9_-]+/g, '.')}`;
}

export function renderJunit(result: EvalResult): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = result.failed;
  lines.push(
    `<testsuites name="gitops-lab eval" tests="${result.total}" failures="${failures}" errors="0" time="${seconds(result.duration_ms)}">`,
  );
  lines.push(
    `  <testsuite name="doc-qa eval" tests="${result.total}" failures="${failures}" errors="0" skipped="0" time="${seconds(result.duration_ms)}" timestamp="${escapeXml(result.timestamp)}">`,
  );
  lines.push('    <properties>');
  const property = (name: string, value: string) =>
    lines.push(`      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
  property('target', result.target);
  property('mode', result.mode);
  for (const [name, value] of Object.entries(result.metrics)) {
    if (name === 'latency_ms') continue;
    property(name, value === null ? 'n/a' : String(value));
  }
  for (const [p, value] of Object.entries(result.metrics.latency_ms)) {
    property(`latency_ms.${p}`, value === null ? 'n/a' : String(value));
  }
  for (const gate of result.gates) {
    const state = !gate.measured ? 'not measured' : gate.ok ? 'ok' : 'FAILED';
    property(`gate ${gate.metric} ${gate.op} ${gate.threshold}`, `${gate.value ?? 'n/a'} (${state})`);
  }
  lines.push('    </properties>');
  for (const item of result.cases) {
    const open = `    <testcase name="${escapeXml(item.id)}" classname="${escapeXml(suiteName(item.file))}" time="${seconds(item.latency_ms)}"`;
    if (item.passed) {
      lines.push(`${open}/>`);
      continue;
    }
    const detail = [
      `question: ${item.question}`,
      `expected: ${item.expected.status}${item.expected.answer_contains ? `, containing ${item.expected.answer_contains.map((s) => JSON.stringify(s)).join(', ')}` : ''}${item.expected.doc ? `, citing ${item.expected.doc}` : ''}`,
      `got: ${item.status ?? 'no valid response'}${item.cited_docs.length > 0 ? `, citing ${item.cited_docs.join(', ')}` : ''}`,
      ...(item.answer ? [`answer: ${item.answer}`] : []),
    ].join('\n');
    lines.push(`${open}>`);
    lines.push(
      `      <failure message="${escapeXml(item.reason ?? 'failed')}" type="${escapeXml(item.failure_kind ?? 'failed')}">${escapeText(detail)}</failure>`,
    );
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>');
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
