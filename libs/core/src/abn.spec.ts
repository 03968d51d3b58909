import { abnProblem, formatAbn } from './abn';

describe('ABN checksum (the Australian Business Register check)', () => {
  it.each(['51 824 753 556', '51824753556', '53 004 085 616'])('accepts %s', (abn) => {
    expect(abnProblem(abn)).toBeNull();
  });

  it.each([
    ['51 824 753 557', 'fails the ABN checksum (a digit is wrong or two are swapped)'],
    ['15 824 753 556', 'fails the ABN checksum (a digit is wrong or two are swapped)'],
    ['5182475355', 'must have 11 digits (got 10)'],
    ['518247535560', 'must have 11 digits (got 12)'],
    ['51-824-753-556', 'must contain only digits (and spaces)'],
    ['', 'must contain only digits (and spaces)'],
  ])('refuses %p: %s', (abn, reason) => {
    expect(abnProblem(abn)).toBe(reason);
  });

  it('prints an ABN in its usual groups', () => {
    expect(formatAbn('51824753556')).toBe('51 824 753 556');
  });
});
