import { hostnameProblem } from './hostname';

describe('the deploy form checks a host name as it is typed', () => {
  it('accepts what the API accepts', () => {
    for (const ok of ['web1', 'server1.example.com', ' Web-2.Example.COM ', 'a.b-c.d'])
      expect(hostnameProblem(ok)).toBeNull();
  });
  it('says what to fix, starting with a capital, for what the API refuses', () => {
    const cases: [string, RegExp][] = [
      ['', /^Enter a host name/],
      ['my server', /cannot contain spaces/],
      ['web_1', /only letters, digits, hyphens and dots/],
      ['web..example', /two dots/],
      ['-web.example', /start and end with a letter or digit/],
      ['a'.repeat(64), /at most 63/],
    ];
    for (const [input, said] of cases) {
      const problem = hostnameProblem(input);
      expect(problem).toMatch(said);
      expect(problem).toMatch(/^[A-Z]/);
    }
  });
});
