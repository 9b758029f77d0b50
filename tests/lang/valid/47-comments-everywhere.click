// Comments of both kinds between every pair of tokens.
/* leading block comment */ a /* x */ :: /* y */ Counter /* z */ ; // trailing
Idle /* before arrow */ -> // line comment after arrow
  a /* before port */ [ /* inside port */ 0 /* again */ ] /* after port */ -> /* c */ [0] Discard;
/* a block comment
   spanning lines */
