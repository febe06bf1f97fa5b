-- A person signing in to the portal for the first time is matched with the tenant that invited
-- their OIDC subject before any tenant is known: a read of members may also see the rows that name
-- the subject in trellis.member_subject (set for that one transaction), and nothing else.
CREATE POLICY member_invitation ON members FOR SELECT
    USING (subject = current_setting('trellis.member_subject', true));
CREATE INDEX members_subject ON members (subject);
