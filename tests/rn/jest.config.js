// The component under React Native's jest preset, twice: as on iOS and as on
// Android (React Native picks WebView.ios.js or WebView.android.js, and
// BackHandler.ios.js or BackHandler.android.js, by platform).
const base = {
  preset: '@react-native/jest-preset',
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.test.js'],
  // The package under test lives outside this folder (pkg/): its imports
  // (and the Babel helpers its compiled form needs) resolve here. React and
  // react-native-webview are mapped to the one copy the test renderer uses,
  // since the workspace's own node_modules, nearer to pkg/, has a React of its
  // own (the preset maps react-native itself).
  modulePaths: ['<rootDir>/node_modules'],
  moduleNameMapper: {
    '^react$': '<rootDir>/node_modules/react',
    '^react/(.*)$': '<rootDir>/node_modules/react/$1',
    '^react-native-webview$': '<rootDir>/node_modules/react-native-webview',
  },
  // After the preset's own setup (jest concatenates the two lists).
  setupFiles: ['<rootDir>/setup.js'],
  transformIgnorePatterns: ['node_modules/(?!((jest-)?react-native|@react-native(-community)?|react-native-webview)/)'],
};
const platforms = ['android', 'ios', 'native'];
module.exports = {
  projects: [
    { ...base, displayName: 'ios', haste: { defaultPlatform: 'ios', platforms } },
    { ...base, displayName: 'android', haste: { defaultPlatform: 'android', platforms } },
  ],
};
