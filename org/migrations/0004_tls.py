# The org's TLS authority and RFC 8705 client certificates, certificate-bound tokens and
# Salesforce's "Enforce SSL/TLS Mutual Authentication".

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0003_connected_app_keeps_no_private_key'),
    ]

    operations = [
        migrations.AddField(
            model_name='orguser',
            name='enforce_mutual_tls',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='connectedapp',
            name='tls_client_auth',
            field=models.CharField(blank=True, choices=[('', 'No client certificate'), ('tls_client_auth', 'A certificate from a CA I trust, with this subject'), ('self_signed_tls_client_auth', 'This self-signed certificate')], default='', max_length=40),
        ),
        migrations.AddField(
            model_name='connectedapp',
            name='tls_client_cert_pem',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='connectedapp',
            name='tls_client_subject_dn',
            field=models.CharField(blank=True, max_length=512),
        ),
        migrations.AddField(
            model_name='accesstoken',
            name='certificate_thumbprint',
            field=models.CharField(blank=True, max_length=43),
        ),
        migrations.CreateModel(
            name='TlsKeyPair',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=600, unique=True)),
                ('certificate_pem', models.TextField()),
                ('sealed_private_key', models.TextField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
