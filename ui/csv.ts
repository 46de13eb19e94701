// CSV files for staff to open in a spreadsheet: text is quoted, and text that starts with = + - @ is prefixed with
// an apostrophe so the spreadsheet never runs it as a formula; numbers are written as they are.

/** One line of cells: strings quoted (and neutralised), numbers as numbers, nothing as an empty cell. */
export function csvLine(cells: (string | number | null | undefined)[]): string {
  return cells
    .map((value) => {
      if (value === null || value === undefined) return '';
      if (typeof value === 'number') return String(value);
      return `"${(/^[=+\-@]/.test(value) ? `'${value}` : value).replaceAll('"', '""')}"`;
    })
    .join(',');
}

/** A whole file: its lines ended by CRLF, as RFC 4180 has them. */
export const csvFile = (lines: (string | number | null | undefined)[][]): string =>
  `${lines.map(csvLine).join('\r\n')}\r\n`;
