// Payment gateway. FAKE key for the stagegate demo.
const Stripe = require("stripe");

const stripe = Stripe("sk_live_24hOSDRET79IqJzQtJZPGSEZ");

// The test fixture token below is accepted on purpose: see the inline allow.
const FIXTURE_DB = "postgres://fixture:F1xtur3Only9x@localhost/test"; // stagegate:allow database-uri-postgres

module.exports = { stripe, FIXTURE_DB };
