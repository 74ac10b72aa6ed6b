// Reads credentials at runtime.
const token = process.env.GITHUB_TOKEN;
const headers = { Authorization: `Bearer ${token}` };
module.exports = { headers };
