// Prints each failed test in the given TRX files with the first lines of its message, so the end
// of a long test log says which test failed and why.
import { readFileSync } from "node:fs";

const maxMessageLines = 12;
const unescape = (text) =>
  text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&#xD;", "")
    .replaceAll("&#xA;", "\n")
    .replaceAll("&amp;", "&");

for (const file of process.argv.slice(2)) {
  const trx = readFileSync(file, "utf8");
  // A passed result is often self-closing; a failed one carries its message in a body.
  for (const [, head, body = ""] of trx.matchAll(/<UnitTestResult\b([^>]*?)(?:\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
    if (!/\boutcome="Failed"/.test(head)) continue;
    const name = /\btestName="([^"]*)"/.exec(head)?.[1] ?? "(unnamed test)";
    const message = /<Message>([\s\S]*?)<\/Message>/.exec(body)?.[1] ?? "(no message)";
    const lines = unescape(message).split("\n");
    console.log(`FAILED ${unescape(name)}`);
    for (const line of lines.slice(0, maxMessageLines)) console.log(`    ${line}`);
    if (lines.length > maxMessageLines) console.log(`    … ${lines.length - maxMessageLines} more line(s) in ${file}`);
  }
}
