import { useInfiniteQuery } from '@tanstack/react-query';
import { formatMoney } from '../money';
import { queries } from '../queries';
import { ErrorMessage, Loading } from '../ui';

const DAY = new Intl.DateTimeFormat('en-AU', { dateStyle: 'medium', timeZone: 'Australia/Sydney' });

/** A user's documents, newest first, each with its view and PDF; `path` is the list route. */
export function Documents({ path }: { path: string }) {
  const pages = useInfiniteQuery(queries.documents(path));
  if (pages.isPending) return <Loading what="documents" />;
  if (pages.error) return <ErrorMessage error={pages.error} />;
  const docs = pages.data.pages.flatMap((p) => p.documents);
  if (docs.length === 0) return <p className="muted">No documents yet.</p>;
  return (
    <>
      <div className="table-wrap">
        <table data-testid="documents">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Number</th>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                GST
              </th>
              <th scope="col">File</th>
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <tr key={d.id}>
                <td className="nowrap">{DAY.format(new Date(d.issuedAt))}</td>
                <td className="nowrap">
                  <a href={d.htmlPath} target="_blank" rel="noopener">
                    {d.number}
                  </a>
                </td>
                <td>
                  {d.title}
                  {d.refersTo ? <span className="muted small"> (adjusts {d.refersTo})</span> : null}
                </td>
                <td className="num">{formatMoney(d.totalCents, d.currency)}</td>
                <td className="num">{d.gstCents > 0 ? formatMoney(d.gstCents, d.currency) : '–'}</td>
                <td>
                  <a href={d.pdfPath} download={`${d.number}.pdf`} aria-label={`Download ${d.number} as PDF`}>
                    PDF
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages.hasNextPage ? (
        <button type="button" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
          Show older documents
        </button>
      ) : null}
    </>
  );
}
