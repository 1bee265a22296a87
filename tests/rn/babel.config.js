// React Native's own Babel preset, as an app's: it also compiles the package's
// ES modules (pkg/react-native.js and what it imports) for jest.
module.exports = { presets: ['module:@react-native/babel-preset'] };
