// The root layout every Next.js page needs (here, the client component's).
export default function RootLayout({ children }) {
  return (<html><body>{children}</body></html>);
}
