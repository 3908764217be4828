"""The event lab: platform events and change data capture, published and streamed live."""
