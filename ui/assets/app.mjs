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
// one date's times at a time. The checkboxes stay the form's fields either way. The calendar is one Tab stop (the date
// shown); the arrow keys, Home and End move between dates, so Tab goes on to that date's times.
const calendar = document.querySelector('[data-slot-calendar]');
if (calendar) {
  const groups = [...document.querySelectorAll('[data-slot-date]')];
  const byDate = new Map(groups.map((group) => [group.dataset.slotDate, group]));
  const utc = (iso) => new Date(`${iso}T00:00:00Z`);
  const iso = (date) => date.toISOString().slice(0, 10);
  const addDays = (date, days) => iso(new Date(utc(date).getTime() + days * 86_400_000));
  // The month and weekday names come from the server, as a browser's may lack Welsh. A weekday's heading is a letter or
  // two where the screen is narrow, a short name where there is room, and the full name for screen readers.
  const names = JSON.parse(calendar.dataset.calendarNames);
  const weekdays = [
    { className: 'app-calendar__weekday-narrow', names: names.weekdays.narrow },
    { className: 'app-calendar__weekday-short', names: names.weekdays.short },
    { className: 'govuk-visually-hidden', names: names.weekdays.long, heard: true },
  ];
  const buttons = [];

  const keys = document.createElement('p');
  keys.id = 'slot-calendar-keys';
  keys.className = 'govuk-visually-hidden';
  keys.textContent = calendar.dataset.labelKeys;
  calendar.appendChild(keys);

  const show = (date) => {
    for (const group of groups) group.hidden = group.dataset.slotDate !== date;
    for (const button of buttons) {
      const shown = button.dataset.calendarDate === date;
      button.setAttribute('aria-pressed', String(shown));
      button.tabIndex = shown ? 0 : -1;
    }
  };
  const label = (group) => {
    const times = group.querySelectorAll('input').length;
    const chosen = group.querySelectorAll('input:checked').length;
    const count = times === 1 ? calendar.dataset.labelTime : calendar.dataset.labelTimes.replace('{n}', String(times));
    return `${group.dataset.slotLabel}, ${count}${chosen ? `, ${chosen} ${calendar.dataset.labelChosen}` : ''}`;
  };
  const mark = (button) => {
    const group = byDate.get(button.dataset.calendarDate);
    button.setAttribute('aria-label', label(group));
    button.classList.toggle('app-calendar__day--chosen', Boolean(group.querySelector('input:checked')));
  };
  // Where each key moves from the date at `index`; a week on or back is that date or, without times, the next one
  // with times the same way.
  const weekOn = (index, days) => {
    const date = addDays(buttons[index].dataset.calendarDate, days);
    return days > 0
      ? buttons.find((b) => b.dataset.calendarDate >= date)
      : buttons.findLast((b) => b.dataset.calendarDate <= date);
  };
  const moves = {
    ArrowLeft: (index) => buttons[index - 1],
    ArrowRight: (index) => buttons[index + 1],
    ArrowUp: (index) => weekOn(index, -7),
    ArrowDown: (index) => weekOn(index, 7),
    Home: () => buttons[0],
    End: () => buttons[buttons.length - 1],
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
    caption.textContent = `${names.months[month.getUTCMonth()]} ${month.getUTCFullYear()}`;
    const head = table.createTHead().insertRow();
    for (let day = 0; day < 7; day++) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.className = 'govuk-table__header';
      for (const { className, names: heading, heard } of weekdays) {
        const name = document.createElement('span');
        name.className = className;
        if (!heard) name.setAttribute('aria-hidden', 'true');
        name.textContent = heading[day];
        th.appendChild(name);
      }
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
        button.className = 'govuk-button govuk-button--secondary app-calendar__day';
        button.textContent = String(week.getUTCDate());
        button.dataset.calendarDate = iso(week);
        button.setAttribute('aria-describedby', keys.id);
        button.addEventListener('click', () => show(button.dataset.calendarDate));
        button.addEventListener('keydown', (event) => {
          const move = moves[event.key];
          if (!move || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
          event.preventDefault(); // the page does not scroll, even at the first or last date
          const to = move(buttons.indexOf(button));
          if (!to) return;
          show(to.dataset.calendarDate);
          to.focus();
        });
        buttons.push(button);
        mark(button);
        cell.appendChild(button);
      }
    }
    calendar.appendChild(table);
  }
  for (const group of groups) {
    group.addEventListener('change', () => {
      const button = buttons.find((b) => b.dataset.calendarDate === group.dataset.slotDate);
      if (button) mark(button);
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
