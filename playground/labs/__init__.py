"""Labs: pages where the server performs a real protocol exchange while a person watches."""
