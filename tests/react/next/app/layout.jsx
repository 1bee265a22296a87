// The root layout of the Next.js test app (a server component).
export const metadata = { title: 'okra-events/react in Next.js' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
