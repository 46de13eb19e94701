// Bank holidays of England and Wales, from the `date-holidays` package (maintained data, no network), which are
// not processing days for any prison.
import Holidays from 'date-holidays';

const englandAndWales = new Holidays('GB', 'ENG');
const byYear = new Map<number, Set<string>>();

export function isBankHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  let dates = byYear.get(year);
  if (!dates) {
    dates = new Set(
      englandAndWales
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    byYear.set(year, dates);
  }
  return dates.has(date);
}
