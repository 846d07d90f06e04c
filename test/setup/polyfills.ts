import { installPolyfills } from '../../sandbox/polyfills';

installPolyfills();
