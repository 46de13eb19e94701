// Every page's words exist in English and in Welsh.
import { describe, expect, it } from 'vitest';
import { catalogues } from '../ui/i18n';

describe('the Welsh and English catalogues', () => {
  it('have the same keys, none of them empty', () => {
    expect(Object.keys(catalogues.cy).sort()).toEqual(Object.keys(catalogues.en).sort());
    for (const locale of ['en', 'cy'] as const) {
      for (const [key, text] of Object.entries(catalogues[locale]))
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
    }
  });

  it('use the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(catalogues.en)) {
      expect(placeholders(catalogues.cy[key]), key).toEqual(placeholders(text));
    }
  });
});
