/** Per store kind: how an instance gets its session store and chat bus, and how it crashes. */
package dev.tether.demo.store;
