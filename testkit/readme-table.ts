// The README's generated-and-checked tables: the rows of the Markdown table between `<!-- NAME:begin -->` and
// `<!-- NAME:end -->`, without the header and separator, cells trimmed, without their backticks, `\|` as `|`.

export function readmeTableRows(readme: string, name: string): string[][] {
  const begin = readme.indexOf(`<!-- ${name}:begin -->`);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  if (begin < 0) throw new Error(`README has no <!-- ${name}:begin -->`);
  if (end <= begin) throw new Error(`README has no <!-- ${name}:end --> after its begin`);
  return readme
    .slice(begin, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // header and separator
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, '').replace(/\\\|/g, '|')),
    );
}
