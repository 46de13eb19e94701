// Enhances the pages where JavaScript runs; everything works without it.
import { initAll } from '/javascripts/govuk-frontend.min.js';

initAll();

// Two minutes before the answers are deleted (20 minutes without a page), say so.
const warning = document.querySelector('[data-timeout-warning]');
if (warning) {
  setTimeout(
    () => {
      warning.hidden = false;
      warning.focus();
    },
    18 * 60 * 1000,
  );
}

// The visiting times: without JavaScript, a list by date; with it, a calendar of the dates that have times, showing
// one date's times at a time. The checkboxes stay the form's fields either way.
const calendar = document.querySelector('[data-slot-calendar]');
if (calendar) {
  const groups = [...document.querySelectorAll('[data-slot-date]')];
  const byDate = new Map(groups.map((group) => [group.dataset.slotDate, group]));
  const locale = document.documentElement.lang === 'cy' ? 'cy-GB' : 'en-GB';
  const utc = (iso) => new Date(`${iso}T00:00:00Z`);
  const iso = (date) => date.toISOString().slice(0, 10);
  const monthName = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const dayName = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const buttons = [];

  const show = (date) => {
    for (const group of groups) group.hidden = group.dataset.slotDate !== date;
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.calendarDate === date));
  };
  const label = (group) => {
    const times = group.querySelectorAll('input').length;
    const chosen = group.querySelectorAll('input:checked').length;
    const count = calendar.dataset.labelTimes.replace('{n}', String(times));
    return `${group.dataset.slotLabel}, ${count}${chosen ? `, ${chosen} ${calendar.dataset.labelChosen}` : ''}`;
  };

  const first = utc(groups[0].dataset.slotDate);
  const last = utc(groups[groups.length - 1].dataset.slotDate);
  for (
    let month = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1));
    month <= last;
    month.setUTCMonth(month.getUTCMonth() + 1)
  ) {
    const table = document.createElement('table');
    table.className = 'govuk-table';
    const caption = table.createCaption();
    caption.className = 'govuk-table__caption govuk-table__caption--s';
    caption.textContent = monthName.format(month);
    const head = table.createTHead().insertRow();
    for (let day = 0; day < 7; day++) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.className = 'govuk-table__header';
      th.textContent = dayName.format(new Date(Date.UTC(2024, 0, 1 + day))); // 1 January 2024 was a Monday
      head.appendChild(th);
    }
    const body = table.createTBody();
    const start = new Date(month);
    start.setUTCDate(1 - ((month.getUTCDay() + 6) % 7));
    for (let week = new Date(start); week.getUTCMonth() === month.getUTCMonth() || week < month;) {
      const row = body.insertRow();
      row.className = 'govuk-table__row';
      for (let day = 0; day < 7; day++, week.setUTCDate(week.getUTCDate() + 1)) {
        const cell = row.insertCell();
        cell.className = 'govuk-table__cell';
        if (week.getUTCMonth() !== month.getUTCMonth()) continue;
        const group = byDate.get(iso(week));
        if (!group) {
          cell.textContent = String(week.getUTCDate());
          continue;
        }
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0';
        button.textContent = String(week.getUTCDate());
        button.dataset.calendarDate = iso(week);
        button.setAttribute('aria-label', label(group));
        button.addEventListener('click', () => show(button.dataset.calendarDate));
        buttons.push(button);
        cell.appendChild(button);
      }
    }
    calendar.appendChild(table);
  }
  for (const group of groups) {
    group.addEventListener('change', () => {
      const button = buttons.find((b) => b.dataset.calendarDate === group.dataset.slotDate);
      button?.setAttribute('aria-label', label(group));
    });
  }
  const chosen = groups.find((group) => group.querySelector('input:checked')) ?? groups[0];
  show(chosen.dataset.slotDate);
}

// A staff queue reloads itself when a request arrives or changes.
const queue = document.querySelector('[data-queue-events]');
if (queue && 'EventSource' in window) {
  const events = new EventSource(queue.dataset.queueEvents);
  events.addEventListener('queue-changed', () => window.location.reload());
}
