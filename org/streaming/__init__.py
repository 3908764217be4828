"""The org's CometD (Bayeux) streaming endpoint, /cometd/NN.N, as Salesforce serves it."""
