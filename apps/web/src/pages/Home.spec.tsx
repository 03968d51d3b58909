/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { AppInfo } from '../api';
import { ok, serveApi } from '../testing/fake-api';
import { Home } from './Home';

const app = (over: Partial<AppInfo> = {}): AppInfo => ({
  currency: 'aud',
  sandbox: false,
  topupsEnabled: true,
  businessName: 'Example Cloud',
  supportEmail: null,
  termsUrl: null,
  privacyUrl: null,
  ...over,
});

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <Home />
    </QueryClientProvider>,
  );
}

describe("the front page is the business's page", () => {
  it('names the business, lists its plans, links support, terms and privacy, and keeps sign in and sign up apart', async () => {
    serveApi({
      'GET /api/app': ok(
        app({
          supportEmail: 'help@example.com',
          termsUrl: 'https://example.com/terms',
          privacyUrl: 'https://example.com/privacy',
        }),
      ),
      'GET /api/auth/session': ok({ user: null }),
      'GET /api/plans': ok({
        plans: [
          {
            id: 4,
            name: 'Starter',
            description: null,
            vcpu: 1,
            memoryMb: 1024,
            storageGb: 20,
            trafficGb: null,
            networkSpeedInMbps: null,
            networkSpeedOutMbps: null,
            priceMonthlyCents: 1250,
          },
        ],
      }),
    });
    show();
    await screen.findByRole('heading', { level: 1, name: 'Example Cloud' });
    expect((await screen.findByTestId('plan-4')).textContent).toContain('A$12.50');
    expect(screen.getByRole('link', { name: 'help@example.com' }).getAttribute('href')).toBe(
      'mailto:help@example.com',
    );
    expect(screen.getByRole('link', { name: 'Terms of service' }).getAttribute('href')).toBe(
      'https://example.com/terms',
    );
    expect(screen.getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe(
      'https://example.com/privacy',
    );
    expect(screen.getByRole('link', { name: 'Sign up' }).getAttribute('href')).toBe('/signup');
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin');
  });

  it('shows no contact section when none is configured', async () => {
    serveApi({
      'GET /api/app': ok(app()),
      'GET /api/auth/session': ok({ user: null }),
      'GET /api/plans': ok({ plans: [] }),
    });
    show();
    await screen.findByText('No plans are on sale right now. Please check back soon.');
    expect(screen.queryByRole('heading', { name: 'Contact' })).toBeNull();
  });
});
