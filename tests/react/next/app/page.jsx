// The home page: a server component that renders the client checkout, and is
// prerendered to HTML by `next build` (which runs the checkout's render on the
// server).
import Checkout from './checkout.jsx';

export default function Page() {
  return (
    <main>
      <h1>Checkout</h1>
      <Checkout />
    </main>
  );
}
