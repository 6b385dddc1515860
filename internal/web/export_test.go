package web

// CoreMessages exposes the shell's translations to the external tests.
var CoreMessages = coreMessages
