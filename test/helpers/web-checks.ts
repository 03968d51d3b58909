/**
 * What every page of the panel must pass in a real browser, in one place so each describe block of
 * test/web.e2e.spec.ts (and any later one) checks its pages the same way:
 *
 *   const consoleErrors = watchConsole(page);          // right after newPage()
 *   await checkPage(page, 'wallet');                   // on every page visited
 *   expect(consoleErrors).toEqual([]);                 // at the end of a normal walk
 *
 * checkPage runs axe-core (WCAG 2 A/AA rules) at desktop width and at 390 and 360 px, and fails on
 * any serious or critical violation, naming the rule and the elements; at each phone width it also
 * fails when the page is wider than the screen (it scrolls sideways).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export const DESKTOP = { width: 1100, height: 800 };
export const PHONES = [
  { width: 390, height: 844 },
  { width: 360, height: 740 },
];

/** Console errors and uncaught page errors from now on, as "console: …" / "pageerror: …" lines. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** The serious and critical axe violations on the page as it is now, one line each. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** How much wider than the viewport the page is (0: nothing scrolls sideways). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}

/** The innermost elements that reach past the right edge of the viewport, to say what overflows. */
async function widestElements(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((e) => !Array.from(e.children).some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') +
      ' "' + (e.textContent || '').trim().slice(0, 30) + '"')`);
}

/**
 * axe at desktop width and at each phone width, and no sideways scroll on a phone. Leaves the page
 * at desktop width. `name` labels the failures (the page, the width).
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  const problems: string[] = [];
  await page.setViewportSize(DESKTOP);
  for (const v of await seriousA11yViolations(page)) problems.push(`${name} @${DESKTOP.width}px: ${v}`);
  for (const phone of PHONES) {
    await page.setViewportSize(phone);
    const overflow = await sidewaysOverflow(page);
    if (overflow > 0)
      problems.push(
        `${name} @${phone.width}px: scrolls sideways by ${overflow}px (${(await widestElements(page)).join(', ')})`,
      );
    for (const v of await seriousA11yViolations(page)) problems.push(`${name} @${phone.width}px: ${v}`);
  }
  await page.setViewportSize(DESKTOP);
  expect(problems).toEqual([]);
}
