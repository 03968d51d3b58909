/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen } from '@testing-library/react';
import { ReactNode } from 'react';
import { AdminPlan } from '../api';
import { formatDate } from '../money';
import { PriceForm, RepriceForm } from './PlanPriceForms';

const plan: AdminPlan = {
  id: 3,
  virtfusionPackageId: 3,
  name: 'Edge',
  vcpu: 1,
  memoryMb: 1024,
  storageGb: 20,
  trafficGb: null,
  priceMonthlyCents: 1200,
  enabled: true,
  active: true,
  present: true,
  lastSyncedAt: '2026-01-31T09:00:00.000Z',
};

/** The panel's API at the browser's network boundary: one canned answer per path; requests recorded. */
function serving(answers: Record<string, unknown>) {
  const requests: { method: string; path: string; body: unknown }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input);
    requests.push({
      method: init?.method ?? 'GET',
      path,
      body: init?.body ? JSON.parse(String(init.body)) : null,
    });
    const body = answers[path];
    const ok = body !== undefined;
    return {
      status: ok ? 200 : 404,
      ok,
      text: () =>
        Promise.resolve(JSON.stringify(ok ? body : { error: { code: 'not_found', message: 'Not found' } })),
    };
  }) as unknown as typeof fetch;
  return requests;
}

function show(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}

describe("the admin's plan price and reprice forms say what a reprice does", () => {
  it('a reprice preview shows current → scheduled → new, a cancelled schedule, and the deploys skipped', async () => {
    const scheduledFrom = '2027-01-23T16:39:00.000Z';
    serving({
      '/api/admin/plans/3/reprice': {
        planId: 3,
        priceCents: 750,
        currency: 'aud',
        earliest: '2026-12-23T16:39:05.000Z',
        noticeDays: 30,
        applied: false,
        unchanged: 0,
        changes: [
          {
            serverId: 7,
            userId: 2,
            hostname: 'web7.example.test',
            fromCents: 600,
            toCents: 750,
            currency: 'aud',
            fromDate: scheduledFrom,
            scheduled: { amountCents: 900, fromDate: scheduledFrom },
            cancelsScheduled: false,
          },
          {
            serverId: 8,
            userId: 2,
            hostname: 'web8.example.test',
            fromCents: 750,
            toCents: 750,
            currency: 'aud',
            fromDate: scheduledFrom,
            scheduled: { amountCents: 900, fromDate: scheduledFrom },
            cancelsScheduled: true,
          },
        ],
        skipped: [
          {
            serverId: 9,
            userId: 2,
            hostname: 'web9.example.test',
            status: 'awaiting_funds',
            soldAtCents: 1200,
          },
        ],
      },
    });
    show(<RepriceForm plan={plan} currency="aud" />);
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const result = await screen.findByTestId('reprice-result-3');
    const items = Array.from(result.querySelectorAll('li'), (li) => li.textContent);
    const on = formatDate(scheduledFrom);
    expect(items).toEqual([
      `#7 web7.example.test: A$6.00 → A$9.00 (scheduled from ${on}) → A$7.50 from ${on}`,
      `#8 web8.example.test: A$7.50 → A$9.00 (scheduled from ${on}) → A$7.50: cancels the scheduled price`,
      '#9 web9.example.test skipped: not running yet (sold at A$12.00); reprice again once it runs',
    ]);
  });

  it('setting a price says when servers of the plan have another price scheduled', async () => {
    const note = '2 servers have a scheduled price of A$9.00; run servers reprice to change it';
    const requests = serving({
      '/api/admin/plans/3/price': { plan, scheduledRepricesDiffer: 2, scheduledRepricesNote: note },
      '/api/admin/plans': { plans: [plan] },
    });
    show(<PriceForm plan={plan} currency="aud" />);
    fireEvent.change(screen.getByLabelText(/Monthly price for Edge/), { target: { value: '7.50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set price' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm price' }));
    expect((await screen.findByTestId('price-note-3')).textContent).toContain(note);
    expect(requests.find((r) => r.method === 'PUT')).toMatchObject({ body: { priceMonthlyCents: 750 } });
  });

  it('asks before setting a price, writes nothing on "Keep as it is", and confirms the price once set', async () => {
    const requests = serving({
      '/api/admin/plans/3/price': { plan, scheduledRepricesDiffer: 0, scheduledRepricesNote: null },
      '/api/admin/plans': { plans: [plan] },
    });
    show(<PriceForm plan={plan} currency="aud" />);
    fireEvent.change(screen.getByLabelText(/Monthly price for Edge/), { target: { value: '7.50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set price' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Set the price of Edge' });
    expect(dialog.textContent).toContain('Edge will cost A$7.50 a month (now A$12.00) for new deploys');
    fireEvent.click(screen.getByRole('button', { name: 'Keep as it is' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(requests.filter((r) => r.method === 'PUT')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Set price' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm price' }));
    expect((await screen.findByTestId('price-saved-3')).textContent).toBe(
      'Price of Edge set to A$7.50 a month.',
    );
    expect(requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('refuses a price that is not dollars and cents, saying what to type, with nothing sent', async () => {
    const requests = serving({});
    show(<PriceForm plan={plan} currency="aud" />);
    fireEvent.change(screen.getByLabelText(/Monthly price for Edge/), { target: { value: 'twelve' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set price' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /^Enter a monthly price in dollars, like 12\.50/,
    );
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(requests).toEqual([]);
  });

  it('takes a plan off sale after confirmation and says how to offer it again', async () => {
    const requests = serving({
      '/api/admin/plans/3/off-sale': { plan: { ...plan, priceMonthlyCents: null, active: false } },
      '/api/admin/plans': { plans: [plan] },
    });
    show(<PriceForm plan={plan} currency="aud" />);
    fireEvent.click(screen.getByRole('button', { name: 'Take off sale…' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Take off sale' }));
    expect((await screen.findByText(/Edge is off sale/)).textContent).toBe(
      'Edge is off sale. Set a price to offer it again.',
    );
    expect(requests.filter((r) => r.method === 'POST')).toMatchObject([
      { path: '/api/admin/plans/3/off-sale', body: {} },
    ]);
  });
});
