-- Hand-written: DPoP (RFC 9449) sender-constrained federated access tokens (issue 20 §1).
-- The RFC 7638 thumbprint of the key an access token is bound to (`cnf.jkt`); NULL: a bearer token.
-- Seen DPoP proof jtis go into federation_jtis (issuer `dpop:<jkt>`), kept until the proof's window passes.
ALTER TABLE "agent_access_tokens" ADD COLUMN "dpop_jkt" TEXT;
