'use client';
// The merchant's checkout: a client component using okra-events/react, as the
// README's Next.js note has it. Nothing to configure. The widget's URL is
// given at build time (tests/e2e/next.test.mjs).
import { useState } from 'react';
import { useOkraWidget } from 'okra-events/react';

export default function Checkout() {
  const [linked, setLinked] = useState(null);
  const { open, ready, error, widget } = useOkraWidget({
    key: 'pk_test_next',
    token: 'tok_test_next',
    widgetUrl: process.env.NEXT_PUBLIC_WIDGET_URL,
    onSuccess: (data) => setLinked(data.record_id),
  });
  return (
    <>
      <button type="button" disabled={!ready || widget !== null} onClick={open}>
        Link your bank
      </button>
      {error && <p role="alert">{error.message}</p>}
      {linked && <p>Linked {linked}</p>}
    </>
  );
}
