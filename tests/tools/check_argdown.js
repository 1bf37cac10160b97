#!/usr/bin/env node
// Parse Argdown files with the real Argdown parser (@argdown/core: the "parse-input" and
// "build-model" processors the Argdown CLI runs) and print one JSON result per file:
// lexer errors, parser errors and plugin exceptions, plus the model the parser built
// (statements, arguments, relations, sections, tags).
// Usage: node check_argdown.js FILE...   Exit code 1 when any file has an error.
"use strict";
const fs = require("fs");
const { argdown } = require("@argdown/core/dist/argdown");
const { IEquivalenceClass, IArgument } = require("@argdown/core/dist/model/model");

const messages = (xs) => (xs || []).map((e) => ({
  message: String(e.message || e).split("\n")[0].slice(0, 500),
  line: e.token ? e.token.startLine : e.line,
  column: e.token ? e.token.startColumn : e.column,
}));

function check(path) {
  const input = fs.readFileSync(path, "utf8");
  const response = argdown.run({
    input,
    process: ["parse-input", "build-model"],
    logLevel: "none",
    throwExceptions: false,
  });
  const statements = {};
  for (const [title, ec] of Object.entries(response.statements || {})) {
    statements[title] = { text: IEquivalenceClass.getCanonicalMemberText(ec) || "",
      tags: ec.tags || [], data: ec.data || {}, section: ec.section ? ec.section.title : null };
  }
  const args = {};
  for (const [title, a] of Object.entries(response.arguments || {})) {
    args[title] = { text: IArgument.getCanonicalMemberText(a) || "", tags: a.tags || [],
      pcs: (a.pcs || []).map((s) => ({ title: s.title, role: s.role })) };
  }
  return {
    file: path,
    lexerErrors: messages(response.lexerErrors),
    parserErrors: messages(response.parserErrors),
    exceptions: messages(response.exceptions),
    statements,
    arguments: args,
    relations: (response.relations || []).map((r) => ({
      from: r.from.title, fromType: r.from.type, to: r.to.title, toType: r.to.type,
      relationType: r.relationType })),
    sections: (response.sections || []).map((s) => ({ title: s.title, level: s.level, data: s.data || {} })),
    frontMatter: response.frontMatter || null,
  };
}

const results = process.argv.slice(2).map(check);
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
const failed = results.some((r) => r.lexerErrors.length || r.parserErrors.length || r.exceptions.length);
process.exit(failed ? 1 : 0);
