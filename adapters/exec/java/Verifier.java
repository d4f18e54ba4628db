/*
 * Verifier.java - one row's way of verifying a case. verify() returns accept or reject only
 * when the JDK decided; anything it throws is this program's failure and becomes `error`.
 */
interface Verifier {
    Verdict verify(Certs certs, Case c) throws Exception;
}
