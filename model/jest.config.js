/** `unit`: the model is pure, so its tests need nothing but the code. */
const { unitProject } = require('../jest.shared');

module.exports = { projects: [unitProject(__dirname)] };
