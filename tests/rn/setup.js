// What React Native's jest preset cannot have: react-native-webview's native
// side. Its JavaScript (WebView.ios.js / WebView.android.js, the
// originWhitelist check, the onShouldStartLoadWithRequest plumbing) runs as
// it is; its TurboModule, which takes the answer to
// onShouldStartLoadWithRequest, and its view commands (postMessage,
// injectJavaScript, ...), which would reach the native view, are recorded.
jest.mock('react-native-webview/lib/NativeRNCWebViewModule', () => ({
  __esModule: true,
  default: { shouldStartLoadWithLockIdentifier: jest.fn(), isFileUploadSupported: jest.fn(async () => false) },
}));

jest.mock('react-native-webview/lib/RNCWebViewNativeComponent', () => {
  const actual = jest.requireActual('react-native-webview/lib/RNCWebViewNativeComponent');
  const names = ['goBack', 'goForward', 'reload', 'stopLoading', 'injectJavaScript', 'requestFocus', 'postMessage', 'loadUrl', 'clearFormData', 'clearCache', 'clearHistory'];
  return { __esModule: true, ...actual, default: actual.default, Commands: Object.fromEntries(names.map((n) => [n, jest.fn()])) };
});
